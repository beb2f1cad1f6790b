// Plain JS has no decorator syntax: applies a method decorator as TypeScript's __decorate would,
// descriptor included.
export function decorateMethod(target, name, decorator) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, name);
  Object.defineProperty(target.prototype, name, decorator(target.prototype, name, descriptor) ?? descriptor);
}
