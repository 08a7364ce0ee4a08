import pkg from '../package.json' with { type: 'json' }

/** The version of this build of Skein, from package.json. */
export const version: string = pkg.version
export const productName = 'skein'
