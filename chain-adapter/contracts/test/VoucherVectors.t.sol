// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {PaymentChannels} from "../src/PaymentChannels.sol";
import {MockERC20} from "./mocks/MockERC20.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice The shared EIP-712 vectors (test/vectors/vouchers.json, made with cast; the Java tests read the same
/// file): the contract, on each vector's chain id and at its verifying address, must compute the same domain
/// separator and digest, and must pay out on the vector's signature.
contract VoucherVectorsTest is TestBase {
    uint256 internal constant VECTOR_COUNT = 4;
    string internal json;

    function setUp() public {
        json = vm.readFile("test/vectors/vouchers.json");
    }

    function test_WhenVectorsAreRead_ThereAreAllOfThem() public view {
        vm.assertEq(vm.parseJsonKeys(json, string.concat(_at(VECTOR_COUNT - 1))).length, 14, "last vector complete");
        vm.assertEq(
            vm.parseJsonBytes32(json, ".voucherTypehash"),
            keccak256("Voucher(uint256 channelId,uint256 cumulativeAmount)"),
            "typehash"
        );
    }

    function test_WhenComputedOnChain_DigestsMatchTheVectors() public {
        for (uint256 i; i < VECTOR_COUNT; ++i) {
            PaymentChannels channels = _deployAt(i);
            string memory at = _at(i);
            uint256 channelId = vm.parseJsonUint(json, string.concat(at, ".channelId"));
            uint256 amount = vm.parseJsonUint(json, string.concat(at, ".cumulativeAmount"));
            vm.assertEq(
                channels.DOMAIN_SEPARATOR(),
                vm.parseJsonBytes32(json, string.concat(at, ".domainSeparator")),
                string.concat("domain separator, vector ", vm.toString(i))
            );
            vm.assertEq(
                channels.voucherDigest(channelId, amount),
                vm.parseJsonBytes32(json, string.concat(at, ".digest")),
                string.concat("digest, vector ", vm.toString(i))
            );
        }
    }

    struct Vector {
        address payer;
        address signer;
        uint256 channelId;
        uint256 amount;
        uint256 sequence;
        uint256 blockNumber;
        bytes signature;
    }

    function test_WhenTheVectorSignatureIsRedeemed_ThePayeeIsPaid() public {
        for (uint256 i; i < VECTOR_COUNT; ++i) {
            PaymentChannels channels = _deployAt(i);
            Vector memory v = _load(i);
            vm.assertEq(v.signature.length, 65, "65-byte signature");

            // Recreate the channel the id names: the payer's (sequence + 1)-th open in that block (vectors that
            // share an address and block share storage, so earlier vectors' channels count too).
            vm.roll(v.blockNumber);
            MockERC20 token = new MockERC20("T", 18);
            token.mint(v.payer, v.amount * (v.sequence + 1));
            address payee = makeAddr(string.concat("payee ", vm.toString(i)));
            vm.startPrank(v.payer);
            token.approve(address(channels), type(uint256).max);
            uint256 opened;
            for (uint256 k; k <= v.sequence && opened < v.channelId; ++k) {
                opened = channels.open(payee, address(token), v.amount, v.signer);
            }
            vm.stopPrank();
            vm.assertEq(opened, v.channelId, "channel id");

            channels.redeem(v.channelId, v.amount, v.signature);
            uint256 fee = v.amount * channels.FEE_BPS() / 10_000;
            vm.assertEq(token.balanceOf(payee), v.amount - fee, "payee paid the voucher less the fee");
        }
    }

    function _load(uint256 i) internal view returns (Vector memory v) {
        string memory at = _at(i);
        v.payer = vm.parseJsonAddress(json, string.concat(at, ".payer"));
        v.signer = vm.parseJsonAddress(json, string.concat(at, ".signer"));
        v.channelId = vm.parseJsonUint(json, string.concat(at, ".channelId"));
        v.amount = vm.parseJsonUint(json, string.concat(at, ".cumulativeAmount"));
        v.sequence = vm.parseJsonUint(json, string.concat(at, ".sequence"));
        v.blockNumber = vm.parseJsonUint(json, string.concat(at, ".blockNumber"));
        v.signature = vm.parseJsonBytes(json, string.concat(at, ".signature"));
        vm.assertEq(vm.addr(vm.parseJsonUint(json, string.concat(at, ".signerPrivateKey"))), v.signer, "key");
    }

    /// A PaymentChannels on the vector's chain id at the vector's verifying address. The runtime code is copied
    /// there (its immutables are the fee, treasury and period; the EIP-712 domain is recomputed for the new
    /// address), and each address gets fresh storage because the chain's other state does not matter here.
    function _deployAt(uint256 i) internal returns (PaymentChannels) {
        string memory at = _at(i);
        vm.chainId(vm.parseJsonUint(json, string.concat(at, ".chainId")));
        address target = vm.parseJsonAddress(json, string.concat(at, ".verifyingContract"));
        PaymentChannels deployed = new PaymentChannels(50, makeAddr("treasury"), 1 days);
        vm.etch(target, address(deployed).code);
        return PaymentChannels(target);
    }

    function _at(uint256 i) internal view returns (string memory) {
        return string.concat(".vectors[", vm.toString(i), "]");
    }
}
