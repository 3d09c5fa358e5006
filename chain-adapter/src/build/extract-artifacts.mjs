// Build step (run by Maven in generate-sources, after scripts/forge-build.sh): takes the forge
// artifacts of the deployable contracts and writes
//   <codegenDir>/<Name>.abi and <Name>.bin   - input of web3j's SolidityFunctionWrapperGenerator
//   <resourceDir>/io/gridshare/chain/artifacts/<Name>.json - {contractName, abi, bytecode}, packed into the jar
// so other modules can deploy the contracts without the forge output directory.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [outDir, codegenDir, resourceDir] = process.argv.slice(2);
if (!outDir || !codegenDir || !resourceDir) {
  console.error("usage: node extract-artifacts.mjs <forge-out-dir> <codegen-dir> <resource-dir>");
  process.exit(2);
}
const contracts = ["GridToken", "NodeRegistry", "PaymentChannels"];
const packed = join(resourceDir, "io", "gridshare", "chain", "artifacts");
mkdirSync(codegenDir, { recursive: true });
mkdirSync(packed, { recursive: true });
for (const name of contracts) {
  const file = join(outDir, `${name}.sol`, `${name}.json`);
  let artifact;
  try {
    artifact = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    console.error(`cannot read forge artifact ${file}: ${e.message} (did scripts/forge-build.sh run?)`);
    process.exit(1);
  }
  const bytecode = typeof artifact.bytecode === "string" ? artifact.bytecode : artifact.bytecode?.object;
  if (!Array.isArray(artifact.abi) || !bytecode || bytecode === "0x") {
    console.error(`forge artifact ${file} has no ABI or no bytecode`);
    process.exit(1);
  }
  const hex = bytecode.startsWith("0x") ? bytecode : `0x${bytecode}`;
  writeFileSync(join(codegenDir, `${name}.abi`), JSON.stringify(artifact.abi));
  writeFileSync(join(codegenDir, `${name}.bin`), hex.slice(2));
  writeFileSync(join(packed, `${name}.json`), JSON.stringify({ contractName: name, abi: artifact.abi, bytecode: hex }));
}
console.log(`extracted ${contracts.join(", ")} from ${outDir}`);
