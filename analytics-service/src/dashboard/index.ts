export { chartJsPath, registerDashboard } from './routes.js';
