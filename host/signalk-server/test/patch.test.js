'use strict';
// The patch against signalk-server 2.32.0: it carries chunked-channel.js unchanged,
// touches only the files it should, applies to the pristine package, and the patched
// provider bindings turn a marker into the full reply, or a failed transfer into an
// error for the caller. The last two need the conformance cache
// (conformance/realhost.sh install / install-chunked) and are skipped without it.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { FakeGuest, textPayload } = require('./support/fake-guest.js');

const HOST_DIR = path.join(__dirname, '..');
const PATCH = path.join(HOST_DIR, 'signalk-server-2.32.0-chunked-channel.patch');
const MODULE_PATH = 'dist/wasm/utils/chunked-channel.js';
const CACHE =
  process.env.SK_REALHOST_CACHE ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'signalk-plugin-realhost');
const PRISTINE = path.join(CACHE, 'server-2.32.0', 'node_modules', 'signalk-server');
const PATCHED_ROOT = path.join(CACHE, 'server-2.32.0-chunked');
const PATCHED = path.join(PATCHED_ROOT, 'node_modules', 'signalk-server');

/** Why the patched copy cannot be used (missing, or made from another patch), or false. */
function patchedCopyUnusable() {
  let stamp;
  try {
    stamp = fs.readFileSync(path.join(PATCHED_ROOT, '.patched'), 'utf8').trim();
  } catch (_e) {
    return 'no patched server copy (conformance/realhost.sh install-chunked makes it)';
  }
  const hash = require('node:crypto').createHash('sha256').update(fs.readFileSync(PATCH)).digest('hex');
  return stamp !== hash && 'the patched server copy is out of date (conformance/realhost.sh install-chunked)';
}

/** The patch split per file: { path, lines } with the path after `+++ b/`. */
function patchFiles() {
  const files = [];
  for (const line of fs.readFileSync(PATCH, 'utf8').split('\n')) {
    const header = /^\+\+\+ b\/(\S+)$/.exec(line);
    if (header) {
      files.push({ path: header[1], lines: [] });
    } else if (files.length > 0 && !line.startsWith('diff ') && !line.startsWith('--- ')) {
      files[files.length - 1].lines.push(line);
    }
  }
  return files;
}

describe('the patch file', () => {
  it('adds chunked-channel.js exactly as it is in host/signalk-server', () => {
    const added = patchFiles().find((f) => f.path === MODULE_PATH);
    assert.ok(added, `${MODULE_PATH} is not in the patch`);
    assert.match(added.lines[0], /^@@ -0,0 \+1,\d+ @@$/);
    const text = added.lines
      .slice(1)
      .filter((l) => l.startsWith('+'))
      .map((l) => l.slice(1))
      .join('\n');
    assert.equal(
      `${text}\n`,
      fs.readFileSync(path.join(HOST_DIR, 'chunked-channel.js'), 'utf8'),
      'out of date: run host/signalk-server/make-patch.sh'
    );
  });

  it('touches the loader, the HTTP routes and the three provider bindings, and adds lines only', () => {
    const files = patchFiles();
    assert.deepEqual(files.map((f) => f.path).sort(), [
      'dist/wasm/bindings/radar-provider.js',
      'dist/wasm/bindings/resource-provider.js',
      'dist/wasm/bindings/weather-provider.js',
      'dist/wasm/loader/plugin-routes.js',
      'dist/wasm/loaders/standard-loader.js',
      MODULE_PATH
    ]);
    for (const file of files.filter((f) => f.path !== MODULE_PATH)) {
      const removed = file.lines.filter((l) => l.startsWith('-'));
      const added = file.lines.filter((l) => l.startsWith('+'));
      // The providers swap `return responseJson;` for the resolving return.
      assert.ok(removed.every((l) => l.slice(1).trim() === 'return responseJson;'), `${file.path}: ${removed}`);
      assert.ok(added.length <= 12, `${file.path} adds ${added.length} lines`);
    }
  });

  it('applies cleanly to the pristine 2.32.0 package', { skip: !fs.existsSync(PRISTINE) && 'no conformance cache' }, () => {
    const result = spawnSync('patch', ['-p1', '--dry-run', '--batch', '--forward', '-d', PRISTINE, '-i', PATCH], {
      encoding: 'utf8'
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /offset|fuzz/i);
  });
});

describe('the patched provider bindings', { skip: patchedCopyUnusable() }, () => {
  const bindings = (name) => require(path.join(PATCHED, 'dist/wasm/bindings', `${name}-provider.js`));
  const patchedChannel = () => require(path.join(PATCHED, MODULE_PATH));

  /** A plugin instance whose handler `name` parks `payload` and answers the marker. */
  function pluginWith(name, payload, markerOptions) {
    const guest = new FakeGuest(payload);
    guest.exports[name] = (...args) => {
      const [outPtr] = args.slice(-2);
      const marker = Buffer.from(guest.marker(markerOptions));
      guest.write(outPtr, marker);
      return marker.length;
    };
    assert.equal(patchedChannel().negotiateChunkedChannel(guest.exports, 'fake'), 1);
    return { pluginId: 'fake', asLoader: null, instance: { exports: guest.exports }, guest };
  }

  const payload = Buffer.from(JSON.stringify({ items: textPayload(300000).toString('base64') }));

  it('resource handler: the reply behind a marker, the handle closed', () => {
    const plugin = pluginWith('resources_list_resources', payload);
    const reply = bindings('resource').callWasmResourceHandler(plugin, 'resources_list_resources', '{}');
    assert.equal(reply, payload.toString());
    assert.equal(plugin.guest.count('close'), 1);
  });

  it('resource handler: a failed transfer throws instead of answering null', () => {
    const plugin = pluginWith('resources_list_resources', payload, { checksum: 5n });
    assert.throws(
      () => bindings('resource').callWasmResourceHandler(plugin, 'resources_list_resources', '{}'),
      (e) => e instanceof patchedChannel().ChunkedReplyError && /checksum mismatch/.test(e.message)
    );
  });

  it('weather and radar handlers: the reply, or a rejection', async () => {
    const weather = bindings('weather');
    const radar = bindings('radar');
    let plugin = pluginWith('weather_get_forecasts', payload);
    assert.equal(await weather.callWasmWeatherHandler(plugin, 'weather_get_forecasts', '{}'), payload.toString());
    plugin = pluginWith('radar_get_radars', payload);
    assert.equal(await radar.callWasmRadarHandler(plugin, 'radar_get_radars', '{}'), payload.toString());
    plugin = pluginWith('weather_get_forecasts', payload, { length: payload.length + 10 });
    await assert.rejects(weather.callWasmWeatherHandler(plugin, 'weather_get_forecasts', '{}'), /ended the reply/);
    plugin = pluginWith('radar_get_radar_info', payload, { checksum: 0n });
    await assert.rejects(radar.callWasmRadarHandler(plugin, 'radar_get_radar_info', '{}'), /checksum mismatch/);
  });

  it('an ordinary small reply is untouched', () => {
    const guest = new FakeGuest(Buffer.alloc(0));
    guest.exports.resources_get_resource = (reqPtr, reqLen, outPtr) => {
      guest.write(outPtr, Buffer.from('{"name":"A"}'));
      return 12;
    };
    const plugin = { pluginId: 'fake', asLoader: null, instance: { exports: guest.exports } };
    assert.equal(bindings('resource').callWasmResourceHandler(plugin, 'resources_get_resource', '{}'), '{"name":"A"}');
  });

  it('bundles the same module as host/signalk-server/chunked-channel.js', () => {
    assert.equal(
      fs.readFileSync(path.join(PATCHED, MODULE_PATH), 'utf8'),
      fs.readFileSync(path.join(HOST_DIR, 'chunked-channel.js'), 'utf8')
    );
  });
});
