import type { OrangeSmsAccountOptions } from 'nestjs-orange-sms';

/**
 * The Orange apps besides the top-level (`default`) one, as a group with a subsidiary in Senegal
 * would have: `sn`. Each is read from its own variables, named as the CLI's `--account sn` reads
 * them (ORANGE_SMS_SN_CLIENT_ID, …), and is left out when its credentials are not set.
 */
export const OTHER_ACCOUNTS = ['sn'] as const;

/** `ORANGE_SMS_SN_` for `sn` (`ORANGE_SMS_` for the default account), as the CLI names them. */
export function accountVariables(account: string): string {
  return account === 'default' ? 'ORANGE_SMS_' : `ORANGE_SMS_${account.toUpperCase().replace(/-/g, '_')}_`;
}

/** Whether this account's credentials are in the environment. */
export function isAccountConfigured(account: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const prefix = accountVariables(account);
  return Boolean(env[`${prefix}CLIENT_ID`] || env[`${prefix}AUTHORIZATION_HEADER`]);
}

/** The `accounts` option: each configured account from its variables (the module checks the values). */
export function accountsFromEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, OrangeSmsAccountOptions> {
  const accounts: Record<string, OrangeSmsAccountOptions> = {};
  for (const account of OTHER_ACCOUNTS) {
    if (!isAccountConfigured(account, env)) continue;
    const variable = (name: string) => env[`${accountVariables(account)}${name}`] || undefined;
    const authorizationHeader = variable('AUTHORIZATION_HEADER');
    const senderAddress = variable('SENDER_ADDRESS');
    accounts[account] = {
      ...(authorizationHeader
        ? { authorizationHeader }
        : { clientId: variable('CLIENT_ID'), clientSecret: variable('CLIENT_SECRET') }),
      ...(senderAddress ? { senderAddress } : { country: variable('COUNTRY') ?? 'SEN' }),
      senderName: variable('SENDER_NAME'),
      webhookSecret: variable('WEBHOOK_SECRET'),
    };
  }
  return accounts;
}
