// OPTIONS: CORS preflight, allowing whatever headers were asked for.
export function servePreflight(req) {
  const requested = req.headers["access-control-request-headers"];
  return {
    status: 204,
    headers: {
      "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
      "Access-Control-Allow-Headers": requested ? `*, ${requested}` : "*",
      "Access-Control-Max-Age": "600",
    },
    body: null,
  };
}
