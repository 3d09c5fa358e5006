// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {PaymentChannelsFixture} from "../PaymentChannelsFixture.sol";

/// @notice Total transaction gas of the budgeted PaymentChannels calls, in the steady state of a running network
/// (the contract already holds the token, payee and payer already hold some, fees already accrued once).
///
/// Run with `forge test --isolate` (scripts/forge-test.sh does): every top-level call is then its own
/// transaction, with cold storage and the intrinsic cost (21,000 + calldata) included in `lastCallGas`, i.e.
/// the figure a receipt shows. Without --isolate the tests skip themselves, so a plain `forge test` never
/// rewrites snapshots/PaymentChannels.json with in-transaction (warm, base-less) figures.
/// Each budget is an assertion: a measurement above it fails the run. FORGE_SNAPSHOT_CHECK=true also fails
/// it when a figure differs from the committed snapshot.
contract PaymentChannelsGasTest is PaymentChannelsFixture {
    uint256 internal constant OPEN_BUDGET = 100_000;
    uint256 internal constant REDEEM_BUDGET = 65_000;
    uint256 internal constant REDEEM_MANY_PER_EXTRA_CHANNEL_BUDGET = 20_000;
    uint256 internal constant FINALIZE_CLOSE_BUDGET = 60_000;

    string internal constant GROUP = "PaymentChannels";

    uint256 internal warmChannel;

    function setUp() public override {
        super.setUp();
        _skipUnlessIsolated();
        // A network that is already running: the contract holds USDC, the gateway has been paid and
        // fees have accrued once (first-ever writes of those slots are measured separately below).
        warmChannel = _open(address(usdc), 1_000e6);
        channels.redeem(warmChannel, 1e6, _sign(tenantKey, warmChannel, 1e6));
        vm.roll(block.number + 1);
    }

    function test_Gas_Open() public {
        vm.prank(tenant);
        channels.open(gateway, address(usdc), 100e6, address(0));
        _record("open", OPEN_BUDGET);
    }

    function test_Gas_OpenWithExactAllowance() public {
        vm.prank(tenant);
        usdc.approve(address(channels), 100e6);
        vm.prank(tenant);
        channels.open(gateway, address(usdc), 100e6, address(0));
        _record("open_exactAllowance", OPEN_BUDGET);
    }

    function test_Gas_OpenWithSessionSigner() public {
        vm.prank(tenant);
        channels.open(gateway, address(usdc), 100e6, session);
        _record("open_sessionSigner", OPEN_BUDGET);
    }

    function test_Gas_Redeem() public {
        bytes memory sig = _sign(tenantKey, warmChannel, 5e6);
        channels.redeem(warmChannel, 5e6, sig);
        _record("redeem", REDEEM_BUDGET);
    }

    function test_Gas_RedeemSessionSigner() public {
        vm.prank(tenant);
        uint256 id = channels.open(gateway, address(usdc), 100e6, session);
        bytes memory sig = _sign(sessionKey, id, 5e6);
        channels.redeem(id, 5e6, sig);
        _record("redeem_sessionSigner", 0);
    }

    function test_Gas_RedeemMany() public {
        uint256 one = _redeemManyGas(1);
        uint256 ten = _redeemManyGas(10);
        vm.snapshotValue(GROUP, "redeemMany_1", one);
        vm.snapshotValue(GROUP, "redeemMany_10", ten);
        uint256 perExtra = (ten - one) / 9;
        vm.snapshotValue(GROUP, "redeemMany_perExtraChannel", perExtra);
        vm.assertLe(perExtra, REDEEM_MANY_PER_EXTRA_CHANNEL_BUDGET, "redeemMany: gas per further channel over budget");
        vm.assertLe(one, REDEEM_BUDGET, "redeemMany of one channel over the redeem budget");
    }

    function test_Gas_FinalizeClose() public {
        vm.prank(tenant);
        channels.startClose(warmChannel);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        channels.finalizeClose(warmChannel);
        _record("finalizeClose", FINALIZE_CLOSE_BUDGET);
    }

    function test_Gas_StartClose() public {
        vm.prank(tenant);
        channels.startClose(warmChannel);
        _record("startClose", 0);
    }

    function test_Gas_CloseByPayee() public {
        vm.prank(gateway);
        channels.closeByPayee(warmChannel);
        _record("closeByPayee", 0);
    }

    function test_Gas_TopUp() public {
        vm.prank(tenant);
        channels.topUp(warmChannel, 50e6);
        _record("topUp", 0);
    }

    /// First-ever writes: a token the contract has never held, a payee that has never been paid.
    function test_Gas_FirstOpenOfAToken() public {
        vm.prank(tenant);
        channels.open(gateway, address(dai), 100e18, address(0));
        _record("open_firstOfToken", 0);
    }

    function test_Gas_RedeemToAFreshPayee() public {
        address freshPayee = makeAddr("fresh payee");
        vm.prank(tenant);
        uint256 id = channels.open(freshPayee, address(usdc), 100e6, address(0));
        bytes memory sig = _sign(tenantKey, id, 5e6);
        channels.redeem(id, 5e6, sig);
        _record("redeem_freshPayee", 0);
    }

    // ---------------------------------------------------------------- helpers

    /// Opens `n` channels (one per block, as separate payers' habits would spread them) and redeems a voucher
    /// on each in one redeemMany; returns the redeemMany transaction's gas.
    function _redeemManyGas(uint256 n) internal returns (uint256) {
        uint256[] memory ids = new uint256[](n);
        uint256[] memory amounts = new uint256[](n);
        bytes[] memory sigs = new bytes[](n);
        for (uint256 i; i < n; ++i) {
            vm.roll(block.number + 1);
            ids[i] = _open(address(usdc), 100e6);
            amounts[i] = 3e6;
            sigs[i] = _sign(tenantKey, ids[i], 3e6);
        }
        channels.redeemMany(ids, amounts, sigs);
        return vm.lastCallGas().gasTotalUsed;
    }

    function _record(string memory name, uint256 budget) internal {
        uint256 gasUsed = vm.snapshotGasLastCall(GROUP, name);
        if (budget != 0) vm.assertLe(gasUsed, budget, string.concat(name, ": transaction gas over budget"));
    }

    /// In --isolate mode a top-level call's gas includes the 21,000 intrinsic cost; in a plain run it does not.
    function _skipUnlessIsolated() internal {
        channels.FEE_BPS();
        usdc.approve(address(this), 0);
        vm.skip(vm.lastCallGas().gasTotalUsed < 21_000);
    }
}
