// The RequestInit of a request the cache sends on a caller's behalf (the download, a resume, a
// listing, paths-info or LFS pointer request). The caller's headers, credentials mode and request
// mode, and the userinfo turned into "Authorization: Basic", go along only where the core allows:
// to the file's own origin, and through no redirect when fetch would send one of them on (the
// core's followsRedirects). The cache's own headers (Range, Content-Type) win over the caller's.

/**
 * The facts of a caller's request, with the core's plan for it (planRequest): `url` as given,
 * `fetchUrl`, `isPrivate`, `partition`, `authorization`, plus the caller's `headers` ([name, value]
 * pairs), `credentials` and `mode` (undefined for a bare URL). Built by the cache.
 * @typedef {object} RequestContext
 */

/** own: the cache's RequestInit for this request (headers as a plain object). */
export function requestInit(core, context, target, own = {}) {
  const { headers: ownHeaders, ...rest } = own;
  const carries = context && (context.headers.length > 0 || context.authorization || context.credentials || context.mode);
  if (!carries || !core.forwardsCredentials(context.url, target)) return ownHeaders ? own : { ...rest };
  const headers = {};
  for (const [name, value] of context.headers) headers[name.toLowerCase()] = value;
  if (context.authorization) headers.authorization = context.authorization;
  for (const [name, value] of Object.entries(ownHeaders ?? {})) headers[name.toLowerCase()] = value;
  const init = { ...rest, headers };
  if (context.credentials) init.credentials = context.credentials;
  if (context.mode) init.mode = context.mode;
  if (context.followsRedirects === false) init.redirect = "manual";
  return init;
}

/** The cache's own RequestInit with a resume's or other later request's init on top. */
export function withInit(base, extra) {
  return { ...base, ...extra, headers: { ...base.headers, ...extra?.headers } };
}

/** The key under which work for this request is shared: only by requests of one partition. */
export function sharedKey(context, key) {
  return context?.partition ? `${context.partition} ${key}` : key;
}
