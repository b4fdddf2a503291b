export { apiRoutes, isLoopback, mayUseApi, type ApiRoutesOptions } from './routes.js';
