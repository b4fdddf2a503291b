export {
  createHttpServer,
  readBody,
  sendJson,
  matchRoute,
  formatBytes,
  HttpError,
  BodyTooLargeError,
  type HttpServer,
  type HttpServerOptions,
  type HttpMethod,
  type Route,
  type UpgradeRoute,
  type RouteContext,
  type RouteMatch,
} from './http-server.js';
export { opsRoutes, healthBody, type OpsRoutesOptions, type Pingable, type IngestGauge, type HealthBody } from './ops-routes.js';
