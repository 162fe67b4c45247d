/** berth's version: package.json's, the one place it is written (the bundles keep only this field of it). */
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
