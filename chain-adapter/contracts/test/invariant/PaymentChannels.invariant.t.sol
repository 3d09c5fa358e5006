// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {PaymentChannels} from "../../src/PaymentChannels.sol";
import {MockERC20} from "../mocks/MockERC20.sol";
import {TestBase} from "../utils/TestBase.sol";
import {PaymentChannelsHandler} from "./PaymentChannelsHandler.sol";

/// @notice Invariants of PaymentChannels (plain math in docs/contracts.md), checked after every random sequence
/// of handler actions:
///   1. per token: balance == Σ deposit − Σ redeemed − Σ refunded + accruedFees, where accruedFees ==
///      Σ fee − Σ collected (fees stay in the contract until collectFees sends them to the treasury);
///   2. per channel: redeemed <= deposit, redeemed never decreases, and equals the ghost books;
///   3. a voucher is worth at most once: resubmitting an earlier voucher pays nothing (unless the deposit
///      capped it and a top-up since lets it pay the rest of its own amount);
///   4. a closed channel refunded exactly deposit − redeemed.
contract PaymentChannelsInvariantTest is TestBase {
    PaymentChannels internal channels;
    PaymentChannelsHandler internal handler;
    MockERC20 internal usdc;
    MockERC20 internal dai;

    function setUp() public {
        channels = new PaymentChannels(100, makeAddr("treasury"), 1 days);
        usdc = new MockERC20("USDC", 6);
        dai = new MockERC20("DAI", 18);
        handler = new PaymentChannelsHandler(channels, usdc, dai);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = handler.open.selector;
        selectors[1] = handler.topUp.selector;
        selectors[2] = handler.redeem.selector;
        selectors[3] = handler.redeemMany.selector;
        selectors[4] = handler.replay.selector;
        selectors[5] = handler.startClose.selector;
        selectors[6] = handler.finalizeClose.selector;
        selectors[7] = handler.closeByPayee.selector;
        selectors[8] = handler.collectFees.selector;
        selectors[9] = handler.warp.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    function invariant_TokenBalanceEqualsTheBooks() public view {
        _checkBooks(address(usdc));
        _checkBooks(address(dai));
    }

    function invariant_RedeemedNeverExceedsDepositAndMatchesTheGhost() public view {
        uint256 n = handler.channelCount();
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.channelIds(i);
            (,,,, uint256 deposit, uint256 redeemed,,) = channels.channel(id);
            vm.assertLe(redeemed, deposit, "redeemed <= deposit");
            vm.assertEq(deposit, handler.ghostDeposit(id), "deposit == ghost");
            vm.assertEq(redeemed, handler.ghostRedeemed(id), "redeemed == ghost");
        }
        vm.assertEq(handler.redeemedDecreases(), 0, "redeemed never decreases");
    }

    function invariant_AVoucherIsWorthAtMostOnce() public view {
        vm.assertEq(handler.replaysAccepted(), 0, "no replay paid anything");
        vm.assertEq(handler.replaysRefusedWrongly(), 0, "a capped voucher pays its rest after a top-up");
    }

    function invariant_AClosedChannelRefundedTheRest() public view {
        uint256 n = handler.channelCount();
        for (uint256 i; i < n; ++i) {
            uint256 id = handler.channelIds(i);
            (,,,,,,, bool closed) = channels.channel(id);
            vm.assertEq(closed, handler.ghostClosed(id), "closed == ghost");
            if (closed) {
                vm.assertEq(handler.ghostRefunded(id), handler.ghostDeposit(id) - handler.ghostRedeemed(id), "refund");
            }
        }
    }

    function _checkBooks(address token) internal view {
        uint256 accrued = channels.accruedFees(token);
        vm.assertEq(accrued, handler.ghostFees(token) - handler.ghostCollected(token), "accrued == fees - collected");
        vm.assertEq(
            MockERC20(token).balanceOf(address(channels)),
            handler.ghostDeposits(token) - handler.ghostRedeemedTotal(token) - handler.ghostRefundedTotal(token)
                + accrued,
            "balance == deposits - redeemed - refunded + accrued fees"
        );
    }
}
