/** Names of the Partner Center clouds with a preset in {@link PARTNER_CENTER_CLOUDS}. */
export type PartnerCenterCloudName = 'global' | 'china' | 'usgov' | 'germany-legacy';

/** Where a Partner Center cloud's API lives and how to get a token for it. */
export interface PartnerCenterCloud {
  readonly name: PartnerCenterCloudName;
  /** REST API base URL, for `axios.create({ baseURL })`. */
  readonly baseURL: string;
  /** Microsoft Entra ID authority host, for `@azure/identity`'s `authorityHost` option. */
  readonly authorityHost: string;
  /** OAuth scopes to ask the authority for (client credentials use `/.default`). */
  readonly tokenScopes: readonly string[];
}

const GLOBAL_API = 'https://api.partnercenter.microsoft.com';
const GLOBAL_SCOPES: readonly string[] = Object.freeze([`${GLOBAL_API}/.default`]);

/**
 * Presets per cloud. Sources: Microsoft's "Partner Center REST URLs" page (base URLs) and the official
 * Partner Center PowerShell module's environment table (authorities, and the token resource = the cloud's
 * API endpoint):
 *
 * - `global`: `https://api.partnercenter.microsoft.com`, `https://login.microsoftonline.com`, scope
 *   `https://api.partnercenter.microsoft.com/.default`.
 * - `china` (operated by 21Vianet): `https://partner.partnercenterapi.microsoftonline.cn`,
 *   `https://login.chinacloudapi.cn`, scope `https://partner.partnercenterapi.microsoftonline.cn/.default`
 *   (the PowerShell module requests `{China API endpoint}/user_impersonation`; 21Vianet samples use that
 *   host as the v1 `resource`).
 * - `usgov` (Microsoft Cloud for US Government): the global API host, `https://login.microsoftonline.us`,
 *   the global scope (the PowerShell module uses the global endpoint as resource for this cloud).
 * - `germany-legacy` (Microsoft Cloud Deutschland, closed in 2021; kept for old configurations): the global
 *   API host, `https://login.microsoftonline.de`, the global scope (as in the PowerShell module; not
 *   confirmed by a current Microsoft page).
 */
export const PARTNER_CENTER_CLOUDS: Readonly<Record<PartnerCenterCloudName, PartnerCenterCloud>> =
  Object.freeze({
    global: Object.freeze({
      name: 'global',
      baseURL: GLOBAL_API,
      authorityHost: 'https://login.microsoftonline.com',
      tokenScopes: GLOBAL_SCOPES,
    }),
    china: Object.freeze({
      name: 'china',
      baseURL: 'https://partner.partnercenterapi.microsoftonline.cn',
      authorityHost: 'https://login.chinacloudapi.cn',
      tokenScopes: Object.freeze(['https://partner.partnercenterapi.microsoftonline.cn/.default']),
    }),
    usgov: Object.freeze({
      name: 'usgov',
      baseURL: GLOBAL_API,
      authorityHost: 'https://login.microsoftonline.us',
      tokenScopes: GLOBAL_SCOPES,
    }),
    'germany-legacy': Object.freeze({
      name: 'germany-legacy',
      baseURL: GLOBAL_API,
      authorityHost: 'https://login.microsoftonline.de',
      tokenScopes: GLOBAL_SCOPES,
    }),
  });

/**
 * The preset of a cloud by name (case and surrounding spaces ignored).
 *
 * @throws RangeError naming the known clouds when `name` is not one of them.
 */
export function resolveCloud(name: string): PartnerCenterCloud {
  const normalized = typeof name === 'string' ? name.trim().toLowerCase() : '';
  if (Object.hasOwn(PARTNER_CENTER_CLOUDS, normalized)) {
    return PARTNER_CENTER_CLOUDS[normalized as PartnerCenterCloudName];
  }
  const known = Object.keys(PARTNER_CENTER_CLOUDS).join(', ');
  throw new RangeError(
    `Unknown Partner Center cloud ${JSON.stringify(String(name))}; expected one of: ${known}`,
  );
}
