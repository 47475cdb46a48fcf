/** The package version (kept equal to package.json by a test), for instrumentation scopes. */
export const VERSION = '0.1.0';
