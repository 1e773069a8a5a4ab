/**
 * Endpoint URLs: where a signal goes under a base URL, and a backend's identity (its endpoint
 * without credentials) as the journal records it. Pure.
 */

/**
 * `base` + `/v1/{signal}`, appended to the URL's path: a query string stays a query string
 * (`https://h/otlp?k=v` → `https://h/otlp/v1/traces?k=v`).
 */
export function signalUrl(base: string, signal: "traces" | "metrics"): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/v1/${signal}`;
  return url.toString();
}

/**
 * The backend's identity: its endpoint without `user:password@`, query values or fragment, so it can
 * be stored and compared (a run is re-sent only to the endpoint it was meant for).
 */
export function endpointIdentity(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = "";
    url.password = "";
    url.hash = "";
    const keys = [...url.searchParams.keys()];
    url.search = "";
    const query = keys.map((key) => `${encodeURIComponent(key)}=***`).join("&");
    return query ? `${url.toString()}?${query}` : url.toString();
  } catch {
    return endpoint.replace(/[?#].*$/, "").replace(/\/\/[^/@]*@/, "//");
  }
}
