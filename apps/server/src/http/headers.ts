import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Security headers for the app and the API (helmet): a Content-Security-Policy the built app runs
 * under (everything from this origin, no inline script, no plugins), no framing by other sites,
 * and no Referer, so a sheet's address is not handed to the sites its cells link to.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:", "blob:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: "deny" },
    // HSTS belongs to whoever terminates TLS: from here it would bind every subdomain of the host.
    strictTransportSecurity: false,
    referrerPolicy: { policy: "no-referrer" },
  });
}
