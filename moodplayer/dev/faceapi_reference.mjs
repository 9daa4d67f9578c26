// face-api's own outputs, in Node, for the numpy port to be checked against (development
// only; never run by the app or the tests). Driven by moodplayer/dev/faceapi_reference.py,
// which installs @vladmandic/face-api, @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm
// into a temporary folder (never into the repository) and passes it as FACEAPI_NODE_DIR.
//
//   FACEAPI_NODE_DIR=/tmp/x node faceapi_reference.mjs JOBS.json OUT.json
//
// JOBS.json: {"backend": "wasm" | "cpu", "tasks": [{"id", "ppm", "mode"}]}; each "ppm" is
// a binary PPM (P6, RGB): Python decodes the pictures and writes the exact pixels, so both
// sides read the same ones. Modes:
//   "expression": the picture is the face crop: faceExpressionNet.predictExpressions and
//                 the feature extractor's 256 pooled numbers;
//   "ssd" | "tiny": face-api's whole pipeline, detectAllFaces(SSD MobileNet v1 or the tiny
//                 detector).withFaceLandmarks().withFaceExpressions(): per face its detection
//                 box and score, the landmarks' aligned box and the expressions.
// Boxes are [x, y, width, height] in picture pixels; expressions in face-api's order.

import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';

const nodeDir = process.env.FACEAPI_NODE_DIR;
if (!nodeDir) throw new Error('set FACEAPI_NODE_DIR to the folder holding node_modules');
const require = createRequire(path.join(nodeDir, 'index.js'));
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');

const ORDER = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];
const [jobsFile, outFile] = process.argv.slice(2);
const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8'));

function readPpm(file) {
  const buf = fs.readFileSync(file);
  const fields = [];
  let i = 0;
  while (fields.length < 4) { // magic, width, height, maxval; '#' comments skipped
    while (/\s/.test(String.fromCharCode(buf[i]))) i += 1;
    if (buf[i] === 0x23) { while (buf[i] !== 0x0a) i += 1; continue; }
    let s = '';
    while (!/\s/.test(String.fromCharCode(buf[i]))) { s += String.fromCharCode(buf[i]); i += 1; }
    fields.push(s);
  }
  i += 1; // the single whitespace before the pixels
  const [magic, w, h, max] = fields;
  if (magic !== 'P6' || max !== '255') throw new Error(`${file}: not an 8-bit P6 PPM`);
  const width = Number(w); const height = Number(h);
  const pixels = new Int32Array(buf.subarray(i, i + width * height * 3));
  return tf.tensor3d(pixels, [height, width, 3], 'int32');
}

const box = (b) => [b.x, b.y, b.width, b.height];
const expr = (e) => ORDER.map((k) => e[k]);

async function main() {
  if ((jobs.backend || 'wasm') === 'wasm') {
    wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  }
  await tf.setBackend(jobs.backend || 'wasm');
  await tf.ready();
  const modelDir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  const modes = new Set(jobs.tasks.map((t) => t.mode));
  await faceapi.nets.faceExpressionNet.loadFromDisk(modelDir);
  if (modes.has('ssd') || modes.has('tiny')) await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  if (modes.has('ssd')) await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
  if (modes.has('tiny')) await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
  const out = {
    faceapi: faceapi.version, tfjs: tf.version_core, backend: tf.getBackend(), results: [],
  };
  const started = Date.now();
  for (const [n, task] of jobs.tasks.entries()) {
    const image = readPpm(task.ppm);
    const result = { id: task.id, mode: task.mode };
    if (task.mode === 'expression') {
      const e = await faceapi.nets.faceExpressionNet.predictExpressions(image);
      result.expressions = expr(e);
      const f = await faceapi.nets.faceExpressionNet.faceFeatureExtractor.forward(image); // [1, 1, 1, 256]
      result.features = Array.from(await f.data());
      f.dispose();
    } else {
      const options = task.mode === 'ssd'
        ? new faceapi.SsdMobilenetv1Options({ minConfidence: task.min_confidence ?? 0.5 })
        : new faceapi.TinyFaceDetectorOptions({ inputSize: task.input_size ?? 416, scoreThreshold: task.min_confidence ?? 0.5 });
      const faces = await faceapi.detectAllFaces(image, options).withFaceLandmarks().withFaceExpressions();
      result.faces = faces.map((f) => ({
        box: box(f.detection.box), score: f.detection.score, aligned: box(f.alignedRect.box),
        expressions: expr(f.expressions),
      }));
    }
    image.dispose();
    out.results.push(result);
    if (jobs.progress && (n + 1) % 100 === 0) process.stderr.write(`${n + 1}/${jobs.tasks.length}\n`);
  }
  out.ms_per_task = (Date.now() - started) / Math.max(jobs.tasks.length, 1);
  fs.writeFileSync(outFile, JSON.stringify(out));
}

main();
