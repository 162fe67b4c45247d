/**
 * The berth command line (commander). Only this layer turns errors into messages and exit codes. Each
 * command's code is imported when that command runs, so that a command loads only its own (in the bundle
 * too, where esbuild defers the evaluation of what is imported dynamically).
 */
import { Command } from 'commander';
import { exitStatusFor } from './exit.js';
import type { ScopeFlags } from './checkpoint-commands.js';
import type { DoctorFlags } from './doctor-command.js';
import { VERSION } from '../version.js';

const HELP_FOOTER = `
Definitions: {/run,/etc,/usr/local/share,/usr/share}/berth/definitions, most
important first, then Quadlet's {/run,/etc,/usr/share}/containers/systemd where
podman has no Quadlet generator; $BERTH_UNIT_DIRS replaces the list. Environment:
BERTH_PODMAN_VERSION, PODMAN, BERTH_COMMAND. Exit status: 0 on success.
\`berth doctor\` checks this host. Manuals: berth(1), berth.container(5),
berth.definitions(5).`;

const checkpointCommands = () => import('./checkpoint-commands.js');

/** A command about one container: its NAME and --user, then the command's own options. */
function containerCommand(cli: Command, verb: string, description: string, run: (name: string, opts: ScopeFlags) => Promise<number>, argument = 'the container unit'): Command {
  return cli
    .command(verb)
    .description(description)
    .argument('<name>', argument)
    .option('--user', "the user manager's container")
    .action(async (name: string, opts: ScopeFlags) => {
      process.exitCode = await run(name, opts);
    });
}

export function program(): Command {
  const cli = new Command('berth')
    .description('Compile Quadlet container definitions into systemd units, with scheduled CRIU checkpoints')
    .version(VERSION)
    .addHelpText('after', HELP_FOOTER)
    .exitOverride();

  cli
    .command('generate')
    .description('run as a systemd generator: compile definitions into units in NORMAL_DIR')
    .argument('[dirs...]', 'NORMAL_DIR [EARLY_DIR LATE_DIR], as systemd passes them')
    .option('--user', 'generate for the user manager (default: $SYSTEMD_SCOPE)')
    .option('--no-kmsg-log', 'log to stderr, not /dev/kmsg')
    .option('--dryrun', 'print the units to stdout instead of writing them')
    .option('--podman-version <x.y>', 'the podman the units will run (default: $BERTH_PODMAN_VERSION, else detected)')
    .action(async (dirs: string[], opts) => {
      const { runGenerate } = await import('./generate-command.js');
      process.exitCode = await runGenerate(dirs, opts);
    });

  cli
    .command('validate')
    .description('check definitions without writing anything; exit 0 when all is well')
    .argument('<paths...>', 'definition files or folders')
    .option('--user', 'check as for the user manager')
    .option('--podman-version <x.y>', 'the podman the units will run (default: $BERTH_PODMAN_VERSION, else detected)')
    .action(async (paths: string[], opts) => {
      const { runValidate } = await import('./validate-command.js');
      process.exitCode = await runValidate(paths, opts);
    });

  cli
    .command('import')
    .description('write the definition of a podman command line: berth import -- podman run [OPTIONS] IMAGE [COMMAND...], or podman pod|network|volume create [OPTIONS] NAME; of an existing container: berth import --container NAME; or the definitions of a compose file: berth import compose.yaml')
    .argument('[argv...]', 'the podman command, after --; or a compose file (.yaml, .yml)')
    .option('--container <name>', 'the container (name or ID) whose definition to write, read from podman container inspect')
    .option('-p, --project-name <name>', "with a compose file: the project's name (default: its name:, $COMPOSE_PROJECT_NAME, or its folder's name)")
    .option('--install', 'write it (a compose file: all of them, or none) into the definitions folder (/etc/berth/definitions; with --user ~/.config/berth/definitions) and print the paths')
    .option('--user', "with --install: the user's definitions folder")
    .option('--replace', 'with --install: replace a definition of the same name')
    .action(async (argv: string[], opts) => {
      const { runImport } = await import('./import-command.js');
      process.exitCode = await runImport(argv, opts);
    });

  cli
    .command('install')
    .description('check definitions with those installed, write them atomically into the definitions folder (all or none, under a lock), and reload systemd')
    .argument('<paths...>', 'definition files, or folders: every definition in one, each with its NAME.KIND.d drop-ins')
    .option('--user', "the user's definitions folder and manager")
    .option('--replace', 'replace definitions (and drop-ins) of the same names')
    .option('--force', 'write them even with problems (printed all the same)')
    .option('--no-reload', 'do not reload systemd')
    .option('--podman-version <x.y>', 'the podman the units will run (default: $BERTH_PODMAN_VERSION, else detected)')
    .option('--json', 'print what was written, the reload and the units as JSON')
    .action(async (paths: string[], opts) => {
      const { runInstall } = await import('./install-command.js');
      process.exitCode = await runInstall(paths, opts);
    });
  cli
    .command('rm')
    .description('remove a definition from the definitions folder, reload systemd, and check that its units are gone; its checkpoint archives stay')
    .argument('<name>', 'the definition (web, web.container) or its unit (web.service)')
    .option('--user', "the user's definitions folder and manager")
    .option('--stop', 'stop its units first (else an active unit refuses the removal)')
    .option('--remove-checkpoints', "also remove its checkpoint archives (its [Checkpoint] Directory=/NAME)")
    .option('--keep-checkpoints', 'keep its checkpoint archives (the default)')
    .option('--podman-version <x.y>', 'the podman the units will run (default: $BERTH_PODMAN_VERSION, else detected)')
    .option('--json', 'print what was stopped and removed, the reload and the units as JSON')
    .action(async (name: string, opts) => {
      const { runRm } = await import('./rm-command.js');
      process.exitCode = await runRm(name, opts);
    });

  containerCommand(cli, 'checkpoint', "export a CRIU checkpoint of a running container into its [Checkpoint] folder, then apply retention", async (name, opts) => (await checkpointCommands()).runCheckpoint(name, opts), 'the container unit, e.g. web for web.service')
    .option('--on-stop', "the unit's last checkpoint as it stops (OnStop=yes): it ends the container, and a failure is one line, exit status 1")
    .option('--timeout <span>', 'with --on-stop: give up after this long (systemd time span; default 90s)');
  cli
    .command('checkpoints')
    .description("list a container's archives: time, size, age, and whether the sha256 still matches; `checkpoints show FILE|NAME`: an archive's manifest, host facts, sizes and processes")
    .argument('<name>', 'the container unit, or show')
    .argument('[target]', 'after show: an archive file, or a container unit for its newest valid archive')
    .option('--user', "the user manager's container")
    .option('--json', 'machine-readable output')
    .option('--verify', 'also have tar read each archive to its end (what a restore checks)')
    .action(async (name: string, target: string | undefined, opts) => {
      process.exitCode = await (await checkpointCommands()).runCheckpoints(name, target, opts);
    });
  containerCommand(cli, 'prune', 'apply the [Checkpoint] retention (Keep=, MaxTotalSize=) now', async (name, opts) => (await checkpointCommands()).runPrune(name, opts));
  containerCommand(cli, 'restore', 'stop the unit and start it again from an archive, so systemd keeps managing the restored container', async (name, opts) => (await checkpointCommands()).runRestore(name, opts))
    .option('--archive <file>', "the archive to restore (default: the newest valid one); one from elsewhere is checked and imported into the container's folder first")
    .option('--latest', 'the newest valid archive (the default)')
    .option('--dry-run', 'compare the archive with this host and print the plan, changing nothing')
    .option('--json', 'print the plan and the outcome as JSON');

  cli
    .command('start')
    .description("a restorable unit's ExecStart: restore when asked (or RestoreOnStart=latest), else run the command")
    .argument('<name>', 'the container unit')
    .argument('<argv...>', 'the podman run command, after --')
    .requiredOption('--pidfile <path>', "the unit's PIDFile=, written with conmon's PID after a restore")
    .requiredOption('--directory <dir>', 'the [Checkpoint] folder')
    .option('--restore-latest', 'restore the newest valid archive when there is one')
    .action(async (name: string, argv: string[], opts) => {
      process.exitCode = await (await checkpointCommands()).runStart(name, argv, opts);
    });

  cli
    .command('adopt')
    .description('take a running container under systemd with its state: checkpoint it, write its definition, start its unit restoring the checkpoint, and check that its processes, memory and tmpfs are back (or put it back as it was)')
    .argument('<container>', 'the running container (name or ID)')
    .option('--directory <dir>', "the definition's [Checkpoint] folder, where the archive is kept (default /var/lib/berth/checkpoints)")
    .option('--json', 'print the outcome as JSON')
    .action(async (container: string, opts) => {
      const { runAdopt } = await import('./adopt-command.js');
      process.exitCode = await runAdopt(container, opts);
    });

  cli
    .command('doctor')
    .description('check the host: podman, its runtime and CRIU, cgroups, systemd, the generator links, the agent, the checkpoint folders')
    .option('--json', 'machine-readable output: {ok, summary, checks: [{id, title, status, summary, fix, details}]}')
    .option('--user', "check what the calling user's containers need: /etc/subuid and /etc/subgid ranges, newuidmap and newgidmap, lingering, cgroups, the user generator, the user's definitions and agent")
    .addHelpText('after', '\nEach check prints ok, WARN or FAIL, and a fix for anything not ok. Exit status: 0 when no check failed, 1 otherwise.')
    .action(async (opts: DoctorFlags) => {
      const { runDoctor } = await import('./doctor-command.js');
      process.exitCode = await runDoctor(opts, VERSION);
    });

  cli
    .command('status')
    .description('one row per defined container: unit state, PID, since, restarts, health, last and next checkpoint (read from systemd over D-Bus)')
    .argument('[names...]', 'the containers to show (default: every defined one)')
    .option('--json', 'machine-readable output (with --watch: one JSON object per changed row and line)')
    .option('--watch', 'keep running and show rows as systemd signals changes')
    .option('--user', "the user manager's containers")
    .option('--address <address>', 'a D-Bus address to use instead of the system (or user) bus')
    .action(async (names: string[], opts) => {
      const { runStatus } = await import('./status-command.js');
      process.exitCode = await runStatus(names, opts);
    });

  for (const [verb, state, what] of [['enable', 'enabled', 'start it now'], ['disable', 'disabled', 'stop it now']] as const) {
    cli
      .command(verb)
      .description(`${verb === 'enable' ? 'start' : 'do not start'} a definition's unit at boot: kept in /etc/berth/enabled (~/.config/berth/enabled), which the generator reads to write its [Install] links${verb === 'enable' ? ' (WantedBy= multi-user.target, or default.target, when [Install] names none)' : ''}; systemd is reloaded`)
      .argument('<name>', 'the definition: its file name (web.container), its unit (web), or its name without suffix')
      .option('--now', `also ${what} (and wait for the job)`)
      .option('--user', "the user manager's definition (~/.config/berth/enabled)")
      .option('--json', 'print the outcome as JSON')
      .option('--address <address>', 'a D-Bus address to use instead of the system (or user) bus')
      .addHelpText('after', '\nExit status: 0 when the state is saved (and, with --now, the job done); 1 when not; 2 for an unknown NAME.')
      .action(async (name: string, opts) => {
        const { runEnable } = await import('./enable-command.js');
        process.exitCode = await runEnable(name, state, opts);
      });
  }

  cli
    .command('print')
    .description("print a definition and its drop-ins as written; --effective: merged as berth reads it, each line after its FILE:LINE; --unit: the units berth generates from it")
    .argument('<name>', 'the definition: its file name (web.container), its unit (web), or its name without suffix')
    .option('--effective', 'the definition with its drop-ins merged, each key after a # FILE:LINE comment')
    .option('--unit', 'the units generated from it, as generate --dryrun prints them')
    .option('--user', "the user manager's definition")
    .option('--json', 'machine-readable output')
    .option('--podman-version <x.y>', 'with --unit: the podman the units will run (default: $BERTH_PODMAN_VERSION, else detected)')
    .addHelpText('after', '\nExit status: 0; 1 when a file cannot be read or (--unit) the definition is refused; 2 for an unknown NAME.')
    .action(async (name: string, opts) => {
      const { runPrint } = await import('./print-command.js');
      process.exitCode = await runPrint(name, opts);
    });

  cli
    .command('list')
    .description("every definition with its kind, file, unit and state: systemd's, or not loaded with the generator's reason (file:line, key, message)")
    .option('--json', 'machine-readable output: [{name, kind, source, unit, state, load, sub, reason, problems}]')
    .option('--user', "the user manager's definitions")
    .option('--address <address>', 'a D-Bus address to use instead of the system (or user) bus')
    .action(async (opts) => {
      const { runList } = await import('./list-command.js');
      process.exitCode = await runList(opts);
    });

  cli
    .command('agent')
    .description('serve io.berth.Manager1 on D-Bus: container state relayed from systemd, checkpoints and restores on request')
    .option('--user', "the user manager's containers, on the user's bus")
    .option('--scheduler <mode>', 'auto (default), systemd (timers run the schedules) or cron (the agent runs them: no systemd here)')
    .option('--address <address>', 'a D-Bus address to use instead of the system (or user) bus')
    .action(async (opts) => {
      const { runAgent } = await import('./agent-command.js');
      process.exitCode = await runAgent(opts, VERSION);
    });

  return cli;
}

export async function main(argv: string[]): Promise<number> {
  // Shell completion (packaging/completion/berth.bash): read before commander, which would act on the words.
  if (argv[0] === '__complete') return (await import('./complete-command.js')).runComplete(program(), argv.slice(1));
  try {
    await program().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return e.exitCode ?? 2;
    return exitStatusFor(err);
  }
}
