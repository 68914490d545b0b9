// A real TUF client (tuf-js) against the plugin's update-signing repository.
// node tuf-client.js --metadata-url URL --targets-url URL --root trusted-root.json --dir cache-dir
//                    [--target NAME --out FILE] [--auth "Bearer KEY"]
// Prints one JSON line: {ok:true, rootVersion, ..., length, sha256} or {ok:false, error, message}.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Readable } = require('stream');
const { Updater, BaseFetcher } = require('tuf-js');
const { DownloadHTTPError } = require('tuf-js/dist/error');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];

class AuthFetcher extends BaseFetcher {
  constructor(auth) { super(); this.auth = auth; }
  async fetch(url) {
    const headers = this.auth ? { authorization: this.auth } : {};
    const res = await fetch(url, { headers });
    if (!res.ok) throw new DownloadHTTPError(`failed to download ${url}`, res.status);
    return Readable.fromWeb(res.body);
  }
}

async function main() {
  const metadataDir = path.join(args.dir, 'metadata');
  const targetDir = path.join(args.dir, 'targets');
  fs.mkdirSync(metadataDir, { recursive: true });
  fs.mkdirSync(targetDir, { recursive: true });
  if (!fs.existsSync(path.join(metadataDir, 'root.json'))) fs.copyFileSync(args.root, path.join(metadataDir, 'root.json'));
  const updater = new Updater({
    metadataBaseUrl: args['metadata-url'],
    targetBaseUrl: args['targets-url'],
    metadataDir,
    targetDir,
    fetcher: new AuthFetcher(args.auth),
  });
  await updater.refresh();
  const result = { ok: true };
  for (const kind of ['root', 'timestamp', 'snapshot', 'targets']) {
    const file = path.join(metadataDir, `${kind}.json`);
    if (fs.existsSync(file)) result[`${kind}Version`] = JSON.parse(fs.readFileSync(file, 'utf8')).signed.version;
  }
  if (args.target) {
    const info = await updater.getTargetInfo(args.target);
    if (!info) { console.log(JSON.stringify({ ok: false, error: 'TargetNotFound', message: args.target, ...result })); return; }
    const out = await updater.downloadTarget(info, args.out);
    const data = fs.readFileSync(out);
    Object.assign(result, { path: out, length: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex'), custom: info.custom });
  }
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.log(JSON.stringify({ ok: false, error: e.constructor ? e.constructor.name : 'Error', message: String(e && e.message || e) }));
  process.exitCode = 1;
});
