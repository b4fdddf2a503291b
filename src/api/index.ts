export { apiRoutes, type ApiRoutesOptions } from './routes.js';
