#!/usr/bin/env node
// Builds the inosec-agent single executables (Node.js "single executable applications", SEA) into
// edge-agent/dist-bin/: inosec-agent-linux-x64 and, when it can be built here, inosec-agent-linux-arm64, each
// with a .sha256 file, plus inosec-agent-THIRD-PARTY-NOTICES.txt (the licences of everything inside them).
//
// Steps: bundle src/cli/main.ts with esbuild into one CommonJS file (Node 20 SEA runs a CommonJS main) →
// SEA blob (no code cache, no snapshot: the blob is plain JavaScript, so the same blob serves every
// architecture) → copy a Node executable of the same major.minor (this one for the host architecture, the
// node-linux-<arch> npm package for the other) → strip its symbols when a strip tool for that architecture
// is at hand and the stripped copy still runs → inject the blob with postject.
// Usage: node edge-agent/scripts/build-binary.mjs [--arch x64|arm64] [--v8-flags "FLAGS"]
//   (npm run build:agent at the root)
//   --arch      builds only that architecture (quicker while measuring); default: both.
//   --v8-flags  bakes these V8 flags instead of V8_FLAGS below (to measure a flag with measure-idle.mjs).

import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const ARCHES = ['x64', 'arm64'];
const QEMU = { x64: 'qemu-x86_64-static', arm64: 'qemu-aarch64-static' };
const STRIP_TOOLS = {
  x64: ['x86_64-linux-gnu-strip', 'llvm-strip'],
  arm64: ['aarch64-linux-gnu-strip', 'llvm-strip'],
};
/**
 * V8 flags set by the first statement of the bundle (Node 20's SEA config has no execArgv, and NODE_OPTIONS
 * refuses most V8 flags, e.g. --optimize-for-size). None is baked in: `run` starts lean from src/cli/main.ts
 * (JitGovernor: no optimizing compiler, a young generation that does not grow during the start-up, early
 * bytecode flushing) and gives V8 its usual settings back under load, in the binary and under `node` alike.
 * scripts/README.md has what each flag measured; --v8-flags bakes others to measure them. Flags V8 reads only
 * while it sets up (--max-semi-space-size, --single-threaded, --lite-mode) have no effect here or crash it.
 */
const V8_FLAGS = [];

/**
 * Packages replaced in the bundle by a module that throws when it is loaded: code the agent can never reach,
 * kept out so that its source neither sits in the binary's mapped pages nor in the JavaScript heap (the whole
 * bundle is one string there). @grpc/proto-loader (and the full protobufjs with its .proto parser behind it) is
 * only required by grpc-js's channelz and ORCA service definitions, which only a server that exposes them uses.
 */
const UNREACHABLE = ['@grpc/proto-loader'];

const { values: cli } = parseArgs({ options: { arch: { type: 'string' }, 'v8-flags': { type: 'string' } } });
const v8Flags = cli['v8-flags'] === undefined ? V8_FLAGS : cli['v8-flags'].split(/\s+/).filter(Boolean);
if (cli.arch && !ARCHES.includes(cli.arch)) throw new Error(`--arch must be one of ${ARCHES.join(', ')}`);

const edgeDir = path.resolve(import.meta.dirname, '..');
const repoRoot = path.resolve(edgeDir, '..');
const outDir = path.join(edgeDir, 'dist-bin');
const cacheDir = path.join(edgeDir, '.cache');
const workDir = path.join(cacheDir, 'sea');
const noticesFile = path.join(outDir, 'inosec-agent-THIRD-PARTY-NOTICES.txt');
const require = createRequire(import.meta.url);
const version = JSON.parse(readFileSync(path.join(edgeDir, 'package.json'), 'utf8')).version;
const [major, minor] = process.versions.node.split('.');

const log = (message) => console.log(`build-binary: ${message}`);
const mb = (bytes) => Math.round(bytes / 1e5) / 10;
const run = (command, args, options = {}) =>
  execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });

/** Whether `command` is on PATH. */
function onPath(command) {
  return spawnSync('sh', ['-c', `command -v "$1"`, 'sh', command], { stdio: 'ignore' }).status === 0;
}

/** The command prefix that runs an executable of `arch` here: [] natively, qemu-user when installed, else undefined. */
function runnerFor(arch) {
  if (arch === process.arch) return [];
  if (!onPath(QEMU[arch])) return undefined;
  return [QEMU[arch], '-L', '/'];
}

/** Runs `file --version` (through `runner`); returns its output, or undefined when it did not run. */
function versionOf(file, runner) {
  const [command, ...prefix] = [...runner, file];
  const result = spawnSync(command, [...prefix, '--version'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** esbuild plugin: each UNREACHABLE package becomes a stub that throws, naming the package, if ever loaded. */
const unreachable = {
  name: 'unreachable',
  setup(plugin) {
    const filter = new RegExp(`^(${UNREACHABLE.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
    plugin.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'unreachable' }));
    plugin.onLoad({ filter: /.*/, namespace: 'unreachable' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is not in the inosec-agent binary`)});`,
      loader: 'js',
    }));
  },
};

/**
 * Rewrites every non-ASCII UTF-16 unit of the bundle as a \uXXXX escape (esbuild leaves them raw in regular
 * expression literals). V8 keeps a script's source in the heap as a one-byte string only when every character
 * is Latin-1: one character such as U+25CF doubles the 2 MB source to 4 MB. The escape means the same thing in
 * a string, a template, a regular expression (with or without the u flag, a surrogate pair of escapes is one
 * code point) and an identifier of the Basic Multilingual Plane.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  const ascii = text.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  if (ascii !== text) writeFileSync(file, ascii);
}

/** Bundles the CLI into one minified CommonJS file; the legal comments go to <file>.LEGAL.txt. */
async function bundle() {
  const outfile = path.join(workDir, 'inosec-agent.cjs');
  // "use strict" first: the bundle's own directive stops counting once a statement precedes it.
  const banner = v8Flags.length
    ? `"use strict";require("node:v8").setFlagsFromString(${JSON.stringify(v8Flags.join(' '))});`
    : '';
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [path.join(edgeDir, 'src/cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'external',
    // Workspace packages are bundled from their TypeScript source, as the tests run them.
    conditions: ['inosec-source'],
    define: { INOSEC_AGENT_VERSION: JSON.stringify(version) },
    banner: { js: banner },
    metafile: true,
    logLevel: 'warning',
    // version.ts reads package.json through import.meta only when INOSEC_AGENT_VERSION is not defined: that
    // branch is dead code here and minification drops it.
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [unreachable],
  });
  asciiOnly(outfile);
  return { main: outfile, legal: `${outfile}.LEGAL.txt`, metafile: result.metafile };
}

/** The package.json directory of a bundled file, or undefined for the repository's own sources. */
function packageDirOf(file) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
  return match ? match[1] : undefined;
}

/** Writes the third-party notices: every bundled npm package with its licence text, the legal comments, Node.js. */
function writeNotices(metafile, legalFile, nodeLicence) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDirOf(path.resolve(repoRoot, input));
    if (dir) dirs.add(dir);
  }
  const sections = [...dirs]
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      const licenceFiles = readdirSync(dir).filter((name) => /^(licen[cs]e|copying|notice)/i.test(name));
      const texts = licenceFiles.map((name) => readFileSync(path.join(dir, name), 'utf8').trim());
      const header = `${manifest.name}@${manifest.version} (${manifest.license ?? 'licence not declared'})`;
      return {
        name: manifest.name,
        text: [header, ...(texts.length ? texts : ['(no licence file in the package)'])].join('\n\n'),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((section) => section.text);
  const legal = existsSync(legalFile) ? readFileSync(legalFile, 'utf8').trim() : '';
  const rule = `\n\n${'='.repeat(78)}\n\n`;
  const parts = [
    `inosec-agent ${version} contains Node.js ${process.versions.node} and the npm packages below.`,
    `Node.js ${process.versions.node}\n\n${nodeLicence ?? '(see https://github.com/nodejs/node/blob/main/LICENSE)'}`,
    ...sections,
    ...(legal ? [`Licence comments kept from the bundled sources\n\n${legal}`] : []),
  ];
  writeFileSync(noticesFile, `${parts.join(rule)}\n`);
}

/** The licence of the Node.js that runs this script, when its installation has one. */
function hostNodeLicence() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const candidates = ['LICENSE', 'share/doc/nodejs/LICENSE', 'share/doc/node/LICENSE'].map((p) =>
    path.join(prefix, p),
  );
  const found = candidates.find((file) => existsSync(file));
  return found ? readFileSync(found, 'utf8').trim() : undefined;
}

/** The npm version of node-linux-<arch> to use: this Node's version, else the newest of its major.minor. */
function npmNodeVersion(arch) {
  const spec = `node-linux-${arch}@${major}.${minor}`;
  const listed = JSON.parse(run('npm', ['view', spec, 'version', '--json']) || '[]');
  const versions = [listed].flat();
  if (versions.includes(process.versions.node)) return process.versions.node;
  if (versions.length === 0) throw new Error(`npm has no ${spec}.x`);
  return versions.sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2])).at(-1);
}

/** A Node executable for `arch`: this one for the host architecture, else node-linux-<arch> from npm (cached). */
function nodeExecutable(arch) {
  if (arch === process.arch) return { file: process.execPath, licence: hostNodeLicence() };
  // The same version as this Node, already in the cache, needs no registry.
  const cached = existsSync(
    path.join(cacheDir, `node-linux-${arch}-${process.versions.node}`, 'package/bin/node'),
  );
  const nodeVersion = cached ? process.versions.node : npmNodeVersion(arch);
  const dir = path.join(cacheDir, `node-linux-${arch}-${nodeVersion}`);
  const file = path.join(dir, 'package/bin/node');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    log(`fetching node-linux-${arch}@${nodeVersion} from npm`);
    const tarball = run(
      'npm',
      ['pack', `node-linux-${arch}@${nodeVersion}`, '--pack-destination', dir, '--silent'],
      {
        cwd: dir,
      },
    )
      .trim()
      .split('\n')
      .at(-1);
    run('tar', ['-xzf', path.join(dir, tarball), '-C', dir, 'package/bin/node', 'package/LICENSE']);
    rmSync(path.join(dir, tarball));
  }
  return { file, licence: readFileSync(path.join(dir, 'package/LICENSE'), 'utf8').trim() };
}

/** Strips the copied Node's symbol and debug sections when a tool for `arch` is here and the result still runs. */
function strip(file, arch, runner) {
  const tools = arch === process.arch ? ['strip', ...STRIP_TOOLS[arch]] : STRIP_TOOLS[arch];
  const tool = tools.find(onPath);
  if (!tool) return `not stripped: none of ${tools.join(', ')} is installed`;
  if (!runner) return `not stripped: a stripped ${arch} Node cannot be checked here (no ${QEMU[arch]})`;
  const stripped = `${file}.stripped`;
  copyFileSync(file, stripped);
  const result = spawnSync(tool, [stripped], { encoding: 'utf8' });
  const expected = versionOf(file, runner);
  if (result.status !== 0 || !expected || versionOf(stripped, runner) !== expected) {
    rmSync(stripped, { force: true });
    return `not stripped: ${tool} failed or the stripped Node did not run (${result.stderr.trim()})`;
  }
  const before = statSync(file).size;
  copyFileSync(stripped, file);
  rmSync(stripped);
  return `stripped with ${tool}: Node ${mb(before)} MB → ${mb(statSync(file).size)} MB`;
}

/** Injects the SEA blob with postject (its CLI, to filter LIEF's harmless "string offset" warnings). */
function inject(file, blob) {
  const cli = path.join(path.dirname(require.resolve('postject')), 'cli.js');
  const result = spawnSync(
    process.execPath,
    [cli, file, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) throw new Error(`postject failed on ${file}: ${result.stderr}`);
}

/** Builds dist-bin/inosec-agent-linux-<arch> from the blob. */
function buildFor(arch, blob) {
  const target = path.join(outDir, `inosec-agent-linux-${arch}`);
  // An earlier build's binary must not pass for this one when this one fails.
  rmSync(target, { force: true });
  rmSync(`${target}.sha256`, { force: true });
  const runner = runnerFor(arch);
  const node = nodeExecutable(arch);
  copyFileSync(node.file, target);
  // Linux ELF executables carry no code signature (macOS would need `codesign --remove-signature` and
  // Windows `signtool remove` here); nothing to remove before the injection.
  log(`${arch}: ${strip(target, arch, runner)}`);
  inject(target, blob);
  const size = statSync(target).size;
  const printed = runner ? versionOf(target, runner) : undefined;
  if (runner && printed !== version) throw new Error(`${target} --version printed ${printed ?? 'nothing'}`);
  const digest = createHash('sha256').update(readFileSync(target)).digest('hex');
  writeFileSync(`${target}.sha256`, `${digest}  ${path.basename(target)}\n`);
  log(
    `${arch}: ${path.relative(repoRoot, target)} ${mb(size)} MB, ${runner ? `--version ok (${version})` : `not run: no ${QEMU[arch]}`}`,
  );
  console.log(`BENCH ${JSON.stringify({ name: 'agent.binary_mb', value: mb(size), unit: 'MB', arch })}`);
  return node.licence;
}

async function main() {
  if (process.platform !== 'linux') throw new Error('the agent binaries are built on Linux');
  mkdirSync(workDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const { main: mainFile, legal, metafile } = await bundle();
  log(`bundle ${path.relative(repoRoot, mainFile)} ${mb(statSync(mainFile).size)} MB`);
  const blob = path.join(workDir, 'inosec-agent.blob');
  const seaConfig = path.join(workDir, 'sea-config.json');
  const config = {
    main: mainFile,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: false,
    useSnapshot: false,
  };
  writeFileSync(seaConfig, JSON.stringify(config, null, 2));
  run(process.execPath, ['--experimental-sea-config', seaConfig]);

  let nodeLicence;
  const arches = cli.arch ? [cli.arch] : [process.arch, ...ARCHES.filter((a) => a !== process.arch)];
  for (const arch of arches) {
    try {
      const licence = buildFor(arch, blob);
      nodeLicence ??= licence;
    } catch (error) {
      if (arch === process.arch || arch === cli.arch) throw error;
      const detail = String(error.stderr ?? '')
        .split('\n')
        .find((line) => /error/i.test(line) && !/complete log/.test(line));
      log(`${arch}: not built: ${error.message.split('\n')[0]}${detail ? ` (${detail.trim()})` : ''}`);
    }
  }
  writeNotices(metafile, legal, nodeLicence);
  log(`notices ${path.relative(repoRoot, noticesFile)}`);
}

main().catch((error) => {
  console.error(`build-binary: ${error.stack ?? error}`);
  process.exitCode = 1;
});
