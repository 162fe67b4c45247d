#!/usr/bin/env node
/**
 * The entry systemd runs from its generator folders (system-generators/berth, user-generators/berth):
 * `berth generate` with systemd's NORMAL_DIR EARLY_DIR LATE_DIR arguments.
 */
import { main } from './main.js';

process.exitCode = await main(['generate', ...process.argv.slice(2)]);
