// face-api's own face descriptors for a few crops, in Node with TensorFlow.js's WebAssembly
// backend: the reference the numpy port (moodplayer/vision/faceapi/descriptor.py) is held to.
// Run by moodplayer/dev/faceapi_descriptor_reference.py, never by the app or the tests:
//   node faceapi_descriptor_reference.mjs NODE_MODULES_DIR MODEL_DIR INPUT.json > OUTPUT.json
// INPUT.json: {"faces": [{"name", "height", "width", "rgb": base64 of H*W*3 uint8}]}
// OUTPUT.json: {"backend", "versions", "descriptors": {name: [128 floats]},
//               "landmarks": {name: [[x, y] * 68] in the crop's pixels (faceLandmark68Net)}}
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';

async function main() {
  const [modulesDir, modelDir, inputPath] = process.argv.slice(2);
  if (!inputPath) {
    console.error('usage: node faceapi_descriptor_reference.mjs NODE_MODULES_DIR MODEL_DIR INPUT.json');
    process.exit(2);
  }
  const req = createRequire(path.join(path.resolve(modulesDir), 'index.js'));
  const faceapi = req('@vladmandic/face-api/dist/face-api.node-wasm.js');
  const tf = faceapi.tf;
  const wasm = req('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
  const input = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
  const descriptors = {};
  const landmarks = {};
  for (const face of input.faces) {
    const pixels = Buffer.from(face.rgb, 'base64');
    if (pixels.length !== face.height * face.width * 3) throw new Error(`${face.name}: wrong size`);
    const tensor = tf.tensor3d(new Int32Array(pixels), [face.height, face.width, 3], 'int32');
    const descriptor = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(tensor);
    descriptors[face.name] = Array.from(descriptor);
    const points = await faceapi.nets.faceLandmark68Net.detectLandmarks(tensor);
    landmarks[face.name] = points.positions.map((p) => [p.x, p.y]);
    tensor.dispose();
  }
  const out = { backend: tf.getBackend(), versions: { faceapi: faceapi.version, tfjs: tf.version_core }, descriptors, landmarks };
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => { console.error(err); process.exit(1); });
