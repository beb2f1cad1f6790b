/** `nestjs-orange-sms/postgres`: the PostgreSQL store, its migrations (the `postgres` option uses both). */
export { PostgresOrangeSmsStore } from './orange-sms.postgres-store.js';
export {
  migrateOrangeSms,
  pendingOrangeSmsMigrations,
  ORANGE_SMS_MIGRATIONS,
  type OrangeSmsMigrationResult,
} from './orange-sms.postgres-migrations.js';
export type { OrangeSmsPostgresOptions } from '../interfaces/orange-sms.options.interfaces.js';
