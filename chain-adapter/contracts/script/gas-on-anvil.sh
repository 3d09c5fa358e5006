#!/usr/bin/env bash
# Cross-check of docs/gas.md: replays the steady-state scenario of test/gas/PaymentChannelsGas.t.sol as real
# transactions on a local anvil and prints each receipt's gasUsed. Needs built artifacts (forge build, which
# also builds the test mocks). Usage (from chain-adapter/contracts): script/gas-on-anvil.sh [hardfork]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(pwd)/../node_modules/@foundry-rs"
ANVIL="$bin/anvil-linux-amd64/bin/anvil"
CAST="$bin/cast-linux-amd64/bin/cast"
HARDFORK="${1:-cancun}"
PORT="${GAS_ANVIL_PORT:-18545}"
RPC="http://127.0.0.1:$PORT"

"$ANVIL" --port "$PORT" --hardfork "$HARDFORK" --silent &
anvil_pid=$!
trap 'kill $anvil_pid' EXIT
for _ in $(seq 50); do "$CAST" chain-id --rpc-url "$RPC" >/dev/null 2>&1 && break; sleep 0.1; done

# anvil's well-known dev accounts 0 (deployer), 1 (tenant), 2 (gateway), 3 (treasury), 4 (session key)
DEPLOYER=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
TENANT_KEY=0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
TENANT=$("$CAST" wallet address --private-key $TENANT_KEY)
GATEWAY_KEY=0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a
GATEWAY=$("$CAST" wallet address --private-key $GATEWAY_KEY)
TREASURY=0x90F79bf6EB2c4f870365E785982E1f101E93b906
SESSION=0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 # account 4: a session key that signs for the tenant

bytecode() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['bytecode']['object'])" "$1"; }
deploy() { # artifact, constructor signature, args...
  local code; code=$(bytecode "$1"); shift
  local sig=$1; shift
  "$CAST" send --rpc-url "$RPC" --private-key $DEPLOYER --json --create "$code$("$CAST" abi-encode "$sig" "$@" | cut -c3-)" \
    | python3 -c "import json,sys; print(json.load(sys.stdin)['contractAddress'])"
}
send() { # key, to, signature, args... -> receipt json
  local key=$1 to=$2; shift 2
  "$CAST" send --rpc-url "$RPC" --private-key "$key" --json "$to" "$@"
}
gas() { python3 -c "import json,sys; print(int(json.load(sys.stdin)['gasUsed'], 0))"; }
sign() { # channel id, amount
  "$CAST" wallet sign --no-hash --private-key $TENANT_KEY "$("$CAST" call --rpc-url "$RPC" "$CHANNELS" \
    "voucherDigest(uint256,uint256)(bytes32)" "$1" "$2")"
}
opened_id() { # receipt json on stdin: the ChannelOpened log's first topic after the signature
  python3 -c "
import json,sys
r=json.load(sys.stdin)
sig='$("$CAST" keccak 'ChannelOpened(uint256,address,address,address,address,uint256)')'
print([int(l['topics'][1],16) for l in r['logs'] if l['topics'][0]==sig][0])"
}

CHANNELS=$(deploy out/PaymentChannels.sol/PaymentChannels.json "constructor(uint16,address,uint64)" 50 $TREASURY 86400)
USDC=$(deploy out/MockERC20.sol/MockERC20.json "constructor(string,uint8)" USDC 6)
send $DEPLOYER "$USDC" "mint(address,uint256)" "$TENANT" 1000000000000 >/dev/null
send $TENANT_KEY "$USDC" "approve(address,uint256)" "$CHANNELS" "$("$CAST" max-uint)" >/dev/null

# Steady state: the contract holds USDC, the gateway has been paid once, fees have accrued once.
WARM=$(send $TENANT_KEY "$CHANNELS" "open(address,address,uint256,address)" "$GATEWAY" "$USDC" 1000000000 0x0000000000000000000000000000000000000000 | opened_id)
send $DEPLOYER "$CHANNELS" "redeem(uint256,uint256,bytes)" "$WARM" 1000000 "$(sign "$WARM" 1000000)" >/dev/null

echo "hardfork $HARDFORK (total transaction gas from receipts)"
echo "open           $(send $TENANT_KEY "$CHANNELS" "open(address,address,uint256,address)" "$GATEWAY" "$USDC" 100000000 0x0000000000000000000000000000000000000000 | gas)"
echo "open, session signer $(send $TENANT_KEY "$CHANNELS" "open(address,address,uint256,address)" "$GATEWAY" "$USDC" 100000000 $SESSION | gas)"
echo "redeem         $(send $DEPLOYER "$CHANNELS" "redeem(uint256,uint256,bytes)" "$WARM" 5000000 "$(sign "$WARM" 5000000)" | gas)"

many() { # n -> gas of a redeemMany over n fresh channels
  local ids=() amounts=() sigs=()
  for _ in $(seq "$1"); do
    local id; id=$(send $TENANT_KEY "$CHANNELS" "open(address,address,uint256,address)" "$GATEWAY" "$USDC" 100000000 0x0000000000000000000000000000000000000000 | opened_id)
    ids+=("$id"); amounts+=(3000000); sigs+=("$(sign "$id" 3000000)")
  done
  local IFS=,
  send $DEPLOYER "$CHANNELS" "redeemMany(uint256[],uint256[],bytes[])" "[${ids[*]}]" "[${amounts[*]}]" "[${sigs[*]}]" | gas
}
one=$(many 1); ten=$(many 10)
echo "redeemMany(1)  $one"
echo "redeemMany(10) $ten"
echo "per further channel $(( (ten - one) / 9 ))"

send $TENANT_KEY "$CHANNELS" "startClose(uint256)" "$WARM" >/dev/null
"$CAST" rpc --rpc-url "$RPC" evm_increaseTime 86400 >/dev/null
"$CAST" rpc --rpc-url "$RPC" evm_mine >/dev/null
echo "finalizeClose  $(send $DEPLOYER "$CHANNELS" "finalizeClose(uint256)" "$WARM" | gas)"
