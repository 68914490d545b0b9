#!/usr/bin/env node
// A real gRPC client (@grpc/grpc-js + @grpc/proto-loader) for the Rollouts device API.
// usage: node client.js --target 127.0.0.1:PORT --proto device.proto --method CheckIn --request req.json
//                       --ca ca.pem [--cert cert.pem --key key.pem] [--deadline-ms N] [--repeat N]
// Prints one JSON line: {"ok":true,"response":{...},"calls":N} or {"ok":false,"code":N,"details":"..."}.
'use strict';
const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];

const definition = protoLoader.loadSync(args.proto, { keepCase: false, longs: String, enums: String, bytes: String, defaults: true });
const pkg = grpc.loadPackageDefinition(definition).edgeplane.rollouts.device.v1;
const credentials = grpc.credentials.createSsl(
  fs.readFileSync(args.ca),
  args.key ? fs.readFileSync(args.key) : null,
  args.cert ? fs.readFileSync(args.cert) : null);
const client = new pkg.DeviceService(args.target, credentials);
const request = JSON.parse(fs.readFileSync(args.request, 'utf8'));
const repeat = Number(args.repeat || 1);
const method = args.method.charAt(0).toLowerCase() + args.method.slice(1);

function call() {
  return new Promise((resolve, reject) => {
    const options = args['deadline-ms'] ? { deadline: new Date(Date.now() + Number(args['deadline-ms'])) } : {};
    client[method](request, options, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

(async () => {
  let response;
  try {
    for (let i = 0; i < repeat; i++) response = await call();
    console.log(JSON.stringify({ ok: true, response, calls: repeat }));
  } catch (err) {
    console.log(JSON.stringify({ ok: false, code: err.code, details: err.details }));
  } finally {
    client.close();
  }
})();
