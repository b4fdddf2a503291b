/** The served Web API methods, grouped by family; dispatch.ts merges them. */
export { chatMethods } from './chat.js';
export { directoryMethods } from './directory.js';
export { fileMethods, MAX_FILE_BYTES } from './files.js';
export { newViewHash, viewMethods } from './views.js';
