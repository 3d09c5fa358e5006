// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {PaymentChannels} from "../src/PaymentChannels.sol";
import {IPaymentChannels} from "../src/interfaces/IPaymentChannels.sol";
import {MockERC20} from "./mocks/MockERC20.sol";
import {FeeOnTransferToken, NoReturnToken, ReentrantToken, ReturnsFalseToken} from "./mocks/HostileTokens.sol";
import {PaymentChannelsFixture} from "./PaymentChannelsFixture.sol";

contract PaymentChannelsTest is PaymentChannelsFixture {
    // ================================================================ constructor

    function test_WhenConstructed_ParametersAreImmutableViews() public view {
        vm.assertEq(channels.FEE_BPS(), FEE_BPS, "fee");
        vm.assertEq(channels.TREASURY(), treasury, "treasury");
        vm.assertEq(channels.CHALLENGE_PERIOD(), CHALLENGE_PERIOD, "challenge period");
        vm.assertEq(channels.MAX_AMOUNT(), type(uint80).max, "max amount");
        vm.assertEq(
            channels.VOUCHER_TYPEHASH(), keccak256("Voucher(uint256 channelId,uint256 cumulativeAmount)"), "typehash"
        );
    }

    function test_RevertWhen_FeeAboveOnePercent() public {
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_FeeTooHigh.selector, 101, 100));
        new PaymentChannels(101, treasury, CHALLENGE_PERIOD);
    }

    function test_RevertWhen_FeeWithoutTreasury() public {
        vm.expectRevert(IPaymentChannels.PaymentChannels_ZeroTreasury.selector);
        new PaymentChannels(1, address(0), CHALLENGE_PERIOD);
    }

    function test_RevertWhen_ChallengePeriodIsOver30Days() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_ChallengePeriodTooLong.selector, 30 days + 1, 30 days
            )
        );
        new PaymentChannels(FEE_BPS, treasury, 30 days + 1);
    }

    function test_WhenFeeIsZero_TreasuryMayBeZeroAndNothingAccrues() public {
        PaymentChannels free = new PaymentChannels(0, address(0), CHALLENGE_PERIOD);
        vm.startPrank(tenant);
        usdc.approve(address(free), 100e6);
        uint256 id = free.open(gateway, address(usdc), 100e6, address(0));
        vm.stopPrank();
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(tenantKey, free.voucherDigest(id, 40e6));
        free.redeem(id, 40e6, abi.encodePacked(r, s, v));
        vm.assertEq(usdc.balanceOf(gateway), 40e6, "payee gets everything");
        vm.assertEq(free.accruedFees(address(usdc)), 0, "no fee");
    }

    // ================================================================ open

    function test_WhenOpened_EscrowsTheDepositAndRecordsTheChannel() public {
        uint256 before = usdc.balanceOf(tenant);
        uint256 id = _open(address(usdc), 100e6);

        vm.assertEq(usdc.balanceOf(address(channels)), 100e6, "escrowed");
        vm.assertEq(usdc.balanceOf(tenant), before - 100e6, "taken from the payer");
        (
            address payer,
            address payee,
            address token,
            address signer,
            uint256 deposit,
            uint256 redeemed,
            uint64 closesAt,
            bool closed
        ) = channels.channel(id);
        vm.assertEq(payer, tenant, "payer");
        vm.assertEq(payee, gateway, "payee");
        vm.assertEq(token, address(usdc), "token");
        vm.assertEq(signer, tenant, "signer defaults to the payer");
        vm.assertEq(deposit, 100e6, "deposit");
        vm.assertEq(redeemed, 0, "redeemed");
        vm.assertEq(closesAt, 0, "closesAt");
        vm.assertFalse(closed, "closed");
    }

    function test_WhenOpened_TheIdEncodesPayerAndBlock() public {
        vm.roll(1234);
        uint256 id = _open(address(usdc), 1e6);
        vm.assertEq(id, (uint256(uint160(tenant)) << 96) | (1234 << 32), "id layout");
    }

    function test_WhenOpenedTwiceInOneBlock_IdsDiffer() public {
        uint256 first = _open(address(usdc), 1e6);
        uint256 second = _open(address(usdc), 1e6);
        vm.assertEq(second, first + 1, "next free sequence");
        vm.prank(stranger);
        uint256 other = channels.open(gateway, address(usdc), 1e6, address(0));
        vm.assertEq(other >> 96, uint256(uint160(stranger)), "other payer, other id space");
    }

    function test_WhenOpened_EmitsChannelOpened() public {
        uint256 expectedId = (uint256(uint160(tenant)) << 96) | (block.number << 32);
        vm.expectEmit(true, true, true, true, address(channels));
        emit IPaymentChannels.ChannelOpened(expectedId, tenant, gateway, address(usdc), session, 7e6);
        vm.prank(tenant);
        channels.open(gateway, address(usdc), 7e6, session);
    }

    function test_WhenSignerGiven_TheChannelHonoursIt() public {
        vm.prank(tenant);
        uint256 id = channels.open(gateway, address(usdc), 10e6, session);
        (,,, address signer,,,,) = channels.channel(id);
        vm.assertEq(signer, session, "session key signs");
    }

    function test_WhenSignerIsThePayer_ItIsThePayer() public {
        vm.prank(tenant);
        uint256 id = channels.open(gateway, address(usdc), 10e6, tenant);
        (,,, address signer,,,,) = channels.channel(id);
        vm.assertEq(signer, tenant, "payer signs");
    }

    function test_RevertWhen_PayeeIsZero() public {
        vm.expectRevert(IPaymentChannels.PaymentChannels_ZeroPayee.selector);
        vm.prank(tenant);
        channels.open(address(0), address(usdc), 1e6, address(0));
    }

    function test_RevertWhen_DepositIsZero() public {
        vm.expectRevert(IPaymentChannels.PaymentChannels_ZeroAmount.selector);
        vm.prank(tenant);
        channels.open(gateway, address(usdc), 0, address(0));
    }

    function test_RevertWhen_DepositDoesNotFit80Bits() public {
        uint256 tooMuch = uint256(type(uint80).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_AmountTooLarge.selector, tooMuch, uint256(type(uint80).max)
            )
        );
        vm.prank(tenant);
        channels.open(gateway, address(dai), tooMuch, address(0));
    }

    function test_RevertWhen_TokenHasNoCode() public {
        address notAToken = makeAddr("not a token");
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_NotAToken.selector, notAToken));
        vm.prank(tenant);
        channels.open(gateway, notAToken, 1e6, address(0));
    }

    function test_RevertWhen_AllowanceIsMissing() public {
        address poor = makeAddr("no allowance");
        usdc.mint(poor, 10e6);
        vm.expectRevert();
        vm.prank(poor);
        channels.open(gateway, address(usdc), 10e6, address(0));
    }

    function test_RevertWhen_TokenTakesAFeeOnTransfer() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        fot.mint(tenant, 1000e18);
        vm.prank(tenant);
        fot.approve(address(channels), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_TransferAmountMismatch.selector, address(fot), 100e18, 99e18
            )
        );
        vm.prank(tenant);
        channels.open(gateway, address(fot), 100e18, address(0));
    }

    function test_RevertWhen_TokenReturnsFalse() public {
        ReturnsFalseToken rf = new ReturnsFalseToken();
        rf.mint(tenant, 1000e18);
        vm.prank(tenant);
        rf.approve(address(channels), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(rf)));
        vm.prank(tenant);
        channels.open(gateway, address(rf), 100e18, address(0));
    }

    function test_WhenTokenReturnsNothing_ItStillWorksEndToEnd() public {
        NoReturnToken usdt = new NoReturnToken();
        usdt.mint(tenant, 1000e6);
        vm.prank(tenant);
        usdt.approve(address(channels), type(uint256).max);
        vm.prank(tenant);
        uint256 id = channels.open(gateway, address(usdt), 100e6, address(0));
        channels.redeem(id, 10e6, _sign(tenantKey, id, 10e6));
        vm.assertEq(usdt.balanceOf(gateway), 10e6 - _fee(10e6), "payee paid");
        vm.prank(gateway);
        channels.closeByPayee(id);
        vm.assertEq(usdt.balanceOf(tenant), 1000e6 - 10e6, "rest refunded");
    }

    function test_WhenTokenReentersOnOpen_TheReentrantCallIsRefused() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(tenant, 1000e18);
        vm.prank(tenant);
        re.approve(address(channels), type(uint256).max);
        re.arm(address(channels), abi.encodeCall(IPaymentChannels.open, (gateway, address(re), 1e18, address(0))));

        vm.prank(tenant);
        channels.open(gateway, address(re), 100e18, address(0));

        vm.assertTrue(re.callbackAttempted(), "the token called back");
        vm.assertFalse(re.callbackSucceeded(), "the re-entrant open was refused");
        vm.assertEq(
            re.callbackRevertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector),
            "by the reentrancy guard"
        );
        vm.assertEq(re.balanceOf(address(channels)), 100e18, "only the outer deposit");
    }

    function testFuzz_Open(uint256 deposit, bool eighteenDecimals) public {
        MockERC20 token = eighteenDecimals ? dai : usdc;
        deposit = bound(deposit, 1, eighteenDecimals ? 1e24 : 1e12);
        uint256 id = _open(address(token), deposit);
        (,,,, uint256 stored,,,) = channels.channel(id);
        vm.assertEq(stored, deposit, "deposit stored");
        vm.assertEq(token.balanceOf(address(channels)), deposit, "escrowed");
    }

    // ================================================================ openWithPermit

    function test_WhenOpenedWithPermit_NoPriorApprovalIsNeeded() public {
        (uint256 key, address holder) = (keyOf("permit holder"), makeAddr("permit holder"));
        dai.mint(holder, 50e18);
        (uint8 v, bytes32 r, bytes32 s) = _permit(key, holder, 50e18, block.timestamp + 1 hours);
        vm.prank(holder);
        uint256 id =
            channels.openWithPermit(gateway, address(dai), 50e18, address(0), block.timestamp + 1 hours, v, r, s);
        (address payer,,,, uint256 deposit,,,) = channels.channel(id);
        vm.assertEq(payer, holder, "payer");
        vm.assertEq(deposit, 50e18, "deposit");
    }

    function test_WhenPermitWasFrontRun_TheOpenStillSucceeds() public {
        (uint256 key, address holder) = (keyOf("permit holder"), makeAddr("permit holder"));
        dai.mint(holder, 50e18);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(key, holder, 50e18, deadline);
        dai.permit(holder, address(channels), 50e18, deadline, v, r, s); // someone submits it first
        vm.prank(holder);
        channels.openWithPermit(gateway, address(dai), 50e18, address(0), deadline, v, r, s);
        vm.assertEq(dai.balanceOf(address(channels)), 50e18, "escrowed");
    }

    function test_RevertWhen_PermitIsInvalidAndThereIsNoAllowance() public {
        address holder = makeAddr("permit holder");
        dai.mint(holder, 50e18);
        (uint8 v, bytes32 r, bytes32 s) = _permit(keyOf("someone else"), holder, 50e18, block.timestamp);
        vm.expectRevert();
        vm.prank(holder);
        channels.openWithPermit(gateway, address(dai), 50e18, address(0), block.timestamp, v, r, s);
    }

    // ================================================================ topUp

    function test_WhenToppedUp_TheDepositGrows() public {
        uint256 id = _open(address(usdc), 10e6);
        vm.expectEmit(true, true, true, true, address(channels));
        emit IPaymentChannels.ChannelToppedUp(id, 5e6, 15e6);
        vm.prank(tenant);
        channels.topUp(id, 5e6);
        (,,,, uint256 deposit,,,) = channels.channel(id);
        vm.assertEq(deposit, 15e6, "deposit");
        vm.assertEq(usdc.balanceOf(address(channels)), 15e6, "escrowed");
    }

    function test_WhenSomeoneElseTopsUp_ThePayerStillGetsTheRefund() public {
        uint256 id = _open(address(usdc), 10e6);
        vm.prank(stranger);
        channels.topUp(id, 5e6);
        uint256 before = usdc.balanceOf(tenant);
        vm.prank(gateway);
        channels.closeByPayee(id);
        vm.assertEq(usdc.balanceOf(tenant), before + 15e6, "refund goes to the payer");
    }

    function test_RevertWhen_TopUpOfAnUnknownChannel() public {
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelNotFound.selector, 42));
        channels.topUp(42, 1e6);
    }

    function test_RevertWhen_TopUpIsZero() public {
        uint256 id = _open(address(usdc), 10e6);
        vm.expectRevert(IPaymentChannels.PaymentChannels_ZeroAmount.selector);
        vm.prank(tenant);
        channels.topUp(id, 0);
    }

    function test_RevertWhen_TopUpWouldOverflow80Bits() public {
        uint256 id = _open(address(dai), 10e18);
        uint256 max = type(uint80).max;
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_AmountTooLarge.selector, max + 1, max));
        vm.prank(tenant);
        channels.topUp(id, max + 1 - 10e18);
    }

    function test_RevertWhen_TopUpWhileClosing() public {
        uint256 id = _open(address(usdc), 10e6);
        vm.prank(tenant);
        channels.startClose(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_ChannelClosing.selector, id, uint64(block.timestamp) + CHALLENGE_PERIOD
            )
        );
        vm.prank(tenant);
        channels.topUp(id, 1e6);
    }

    function test_RevertWhen_TopUpAfterClose() public {
        uint256 id = _open(address(usdc), 10e6);
        vm.prank(gateway);
        channels.closeByPayee(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelClosed.selector, id));
        vm.prank(tenant);
        channels.topUp(id, 1e6);
    }

    // ================================================================ redeem

    function test_WhenRedeemed_ThePayeeGetsTheAmountLessTheFee() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.expectEmit(true, true, true, true, address(channels));
        emit IPaymentChannels.VoucherRedeemed(id, gateway, 40e6, 40e6 - _fee(40e6), _fee(40e6));
        channels.redeem(id, 40e6, _sign(tenantKey, id, 40e6));

        vm.assertEq(usdc.balanceOf(gateway), 40e6 - 0.2e6, "payee: 40 less 0.5 %");
        vm.assertEq(channels.accruedFees(address(usdc)), 0.2e6, "fee accrued");
        vm.assertEq(usdc.balanceOf(address(channels)), 60e6 + 0.2e6, "rest + fee stay");
        (,,,,, uint256 redeemed,,) = channels.channel(id);
        vm.assertEq(redeemed, 40e6, "redeemed");
    }

    function test_WhenALaterVoucherIsRedeemed_OnlyTheDifferenceIsPaid() public {
        uint256 id = _open(address(usdc), 100e6);
        channels.redeem(id, 40e6, _sign(tenantKey, id, 40e6));
        channels.redeem(id, 70e6, _sign(tenantKey, id, 70e6));
        vm.assertEq(usdc.balanceOf(gateway), 70e6 - _fee(40e6) - _fee(30e6), "paid 40 then 30");
    }

    function test_WhenVoucherExceedsTheDeposit_PaysAtMostTheDeposit() public {
        uint256 id = _open(address(usdc), 100e6);
        channels.redeem(id, 250e6, _sign(tenantKey, id, 250e6));
        (,,,,, uint256 redeemed,,) = channels.channel(id);
        vm.assertEq(redeemed, 100e6, "capped at the deposit");
        vm.assertEq(usdc.balanceOf(gateway), 100e6 - _fee(100e6), "payee");
        // After a top-up the same voucher is worth the rest of its amount, and never more.
        vm.prank(tenant);
        channels.topUp(id, 200e6);
        channels.redeem(id, 250e6, _sign(tenantKey, id, 250e6));
        (,,,,, redeemed,,) = channels.channel(id);
        vm.assertEq(redeemed, 250e6, "now the full voucher");
    }

    function test_WhenAStrangerSubmitsTheVoucher_TheMoneyStillGoesToThePayee() public {
        uint256 id = _open(address(usdc), 100e6);
        bytes memory sig = _sign(tenantKey, id, 10e6);
        vm.prank(stranger);
        channels.redeem(id, 10e6, sig);
        vm.assertEq(usdc.balanceOf(gateway), 10e6 - _fee(10e6), "payee paid");
    }

    function test_WhenSessionKeySigns_TheVoucherIsAccepted() public {
        vm.prank(tenant);
        uint256 id = channels.open(gateway, address(usdc), 100e6, session);
        channels.redeem(id, 10e6, _sign(sessionKey, id, 10e6));
        vm.assertEq(usdc.balanceOf(gateway), 10e6 - _fee(10e6), "payee paid");
    }

    function test_RevertWhen_PayerSignsButASessionKeyWasNamed() public {
        vm.prank(tenant);
        uint256 id = channels.open(gateway, address(usdc), 100e6, session);
        bytes memory sig = _sign(tenantKey, id, 10e6);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannels_VoucherSignerMismatch.selector, id, session, tenant)
        );
        channels.redeem(id, 10e6, sig);
    }

    function test_WhenClosing_ThePayeeMayStillRedeem() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.prank(tenant);
        channels.startClose(id);
        vm.warp(block.timestamp + CHALLENGE_PERIOD - 1);
        channels.redeem(id, 30e6, _sign(tenantKey, id, 30e6));
        vm.assertEq(usdc.balanceOf(gateway), 30e6 - _fee(30e6), "redeemed in the challenge period");
    }

    function test_RevertWhen_VoucherIsReplayed() public {
        uint256 id = _open(address(usdc), 100e6);
        bytes memory sig = _sign(tenantKey, id, 10e6);
        channels.redeem(id, 10e6, sig);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannels_NothingToRedeem.selector, id, 10e6, 10e6)
        );
        channels.redeem(id, 10e6, sig);
    }

    function test_RevertWhen_VoucherIsStale() public {
        uint256 id = _open(address(usdc), 100e6);
        bytes memory older = _sign(tenantKey, id, 10e6);
        channels.redeem(id, 20e6, _sign(tenantKey, id, 20e6));
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannels_NothingToRedeem.selector, id, 10e6, 20e6)
        );
        channels.redeem(id, 10e6, older);
    }

    function test_RevertWhen_VoucherWasFullyPaidAtTheDepositCap() public {
        uint256 id = _open(address(usdc), 100e6);
        channels.redeem(id, 150e6, _sign(tenantKey, id, 150e6));
        bytes memory sig = _sign(tenantKey, id, 200e6);
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannels_NothingToRedeem.selector, id, 200e6, 100e6)
        );
        channels.redeem(id, 200e6, sig);
    }

    function test_RevertWhen_VoucherIsSignedByAStranger() public {
        uint256 id = _open(address(usdc), 100e6);
        bytes memory sig = _sign(keyOf("stranger"), id, 10e6);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_VoucherSignerMismatch.selector, id, tenant, stranger
            )
        );
        channels.redeem(id, 10e6, sig);
    }

    function test_RevertWhen_VoucherIsForAnotherChannel() public {
        uint256 id = _open(address(usdc), 100e6);
        uint256 other = _open(address(usdc), 100e6);
        bytes memory sig = _sign(tenantKey, other, 10e6);
        address recovered = _recover(channels.voucherDigest(id, 10e6), sig);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_VoucherSignerMismatch.selector, id, tenant, recovered
            )
        );
        channels.redeem(id, 10e6, sig);
    }

    function test_RevertWhen_VoucherAmountWasAltered() public {
        uint256 id = _open(address(usdc), 100e6);
        bytes memory sig = _sign(tenantKey, id, 10e6);
        address recovered = _recover(channels.voucherDigest(id, 90e6), sig);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_VoucherSignerMismatch.selector, id, tenant, recovered
            )
        );
        channels.redeem(id, 90e6, sig);
    }

    function test_RevertWhen_VoucherIsFromAnotherChain() public {
        uint256 id = _open(address(usdc), 100e6);
        bytes memory sig = _sign(tenantKey, id, 10e6); // signed for this chain id
        vm.chainId(block.chainid + 1); // the same contract seen from a fork with another chain id
        address recovered = _recover(channels.voucherDigest(id, 10e6), sig);
        vm.assertTrue(recovered != tenant, "the domain changed with the chain id");
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_VoucherSignerMismatch.selector, id, tenant, recovered
            )
        );
        channels.redeem(id, 10e6, sig);
    }

    function test_RevertWhen_VoucherIsForAnotherContract() public {
        PaymentChannels twin = new PaymentChannels(FEE_BPS, treasury, CHALLENGE_PERIOD);
        uint256 id = _open(address(usdc), 100e6);
        vm.startPrank(tenant);
        usdc.approve(address(twin), 100e6);
        uint256 twinId = twin.open(gateway, address(usdc), 100e6, address(0));
        vm.stopPrank();
        vm.assertEq(twinId, id, "same id in both contracts");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(tenantKey, twin.voucherDigest(id, 10e6));
        bytes memory sig = abi.encodePacked(r, s, v);
        address recovered = _recover(channels.voucherDigest(id, 10e6), sig);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_VoucherSignerMismatch.selector, id, tenant, recovered
            )
        );
        channels.redeem(id, 10e6, sig);
    }

    function test_RevertWhen_SignatureIsNot65Bytes() public {
        uint256 id = _open(address(usdc), 100e6);
        bytes memory sig = _sign(tenantKey, id, 10e6);
        bytes memory short = new bytes(64);
        for (uint256 i; i < 64; ++i) {
            short[i] = sig[i];
        }
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_MalformedVoucherSignature.selector, id));
        channels.redeem(id, 10e6, short);
    }

    function test_RevertWhen_SignatureHasAHighS() public {
        uint256 id = _open(address(usdc), 100e6);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(tenantKey, channels.voucherDigest(id, 10e6));
        // The malleable twin (r, n − s, v ^ 1) recovers the same key; OpenZeppelin refuses it.
        bytes memory twin = abi.encodePacked(r, bytes32(SECP256K1_ORDER - uint256(s)), v == 27 ? uint8(28) : 27);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_MalformedVoucherSignature.selector, id));
        channels.redeem(id, 10e6, twin);
    }

    function test_RevertWhen_SignatureHasABadV() public {
        uint256 id = _open(address(usdc), 100e6);
        (, bytes32 r, bytes32 s) = vm.sign(tenantKey, channels.voucherDigest(id, 10e6));
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_MalformedVoucherSignature.selector, id));
        channels.redeem(id, 10e6, abi.encodePacked(r, s, uint8(1)));
    }

    function test_RevertWhen_RedeemingAnUnknownChannel() public {
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelNotFound.selector, 7));
        channels.redeem(7, 10e6, new bytes(65));
    }

    function test_RevertWhen_RedeemingAfterFinalizeClose() public {
        uint256 id = _open(address(usdc), 100e6);
        bytes memory sig = _sign(tenantKey, id, 10e6);
        vm.prank(tenant);
        channels.startClose(id);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        channels.finalizeClose(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelClosed.selector, id));
        channels.redeem(id, 10e6, sig);
    }

    function test_RevertWhen_RedeemingAfterThePayeeClosed() public {
        uint256 id = _open(address(usdc), 100e6);
        bytes memory sig = _sign(tenantKey, id, 10e6);
        vm.prank(gateway);
        channels.closeByPayee(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelClosed.selector, id));
        channels.redeem(id, 10e6, sig);
    }

    function test_WhenTokenReentersOnRedeem_TheReentrantCallIsRefused() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(tenant, 1000e18);
        vm.prank(tenant);
        re.approve(address(channels), type(uint256).max);
        vm.prank(tenant);
        uint256 id = channels.open(gateway, address(re), 100e18, address(0));
        bytes memory sig = _sign(tenantKey, id, 10e18);
        // On the payout, the token tries to close the channel under the redeem (which would refund the
        // payer while the books are mid-update in a contract without a guard).
        re.arm(address(channels), abi.encodeCall(IPaymentChannels.redeem, (id, 20e18, _sign(tenantKey, id, 20e18))));

        channels.redeem(id, 10e18, sig);

        vm.assertTrue(re.callbackAttempted(), "the token called back");
        vm.assertFalse(re.callbackSucceeded(), "refused");
        vm.assertEq(
            re.callbackRevertData(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector),
            "by the reentrancy guard"
        );
        (,,,,, uint256 redeemed,,) = channels.channel(id);
        vm.assertEq(redeemed, 10e18, "only the outer voucher counted");
    }

    function test_WhenTokenReentersOnRefund_TheReentrantCallIsRefused() public {
        ReentrantToken re = new ReentrantToken();
        re.mint(tenant, 1000e18);
        vm.prank(tenant);
        re.approve(address(channels), type(uint256).max);
        vm.prank(tenant);
        uint256 id = channels.open(gateway, address(re), 100e18, address(0));
        bytes memory sig = _sign(tenantKey, id, 10e18);
        vm.prank(tenant);
        channels.startClose(id);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        // On the refund, the token tries to redeem a voucher (and a second finalizeClose would be next).
        re.arm(address(channels), abi.encodeCall(IPaymentChannels.redeem, (id, 10e18, sig)));

        channels.finalizeClose(id);

        vm.assertTrue(re.callbackAttempted(), "the token called back");
        vm.assertFalse(re.callbackSucceeded(), "refused");
        vm.assertEq(re.balanceOf(tenant), 1000e18, "the whole deposit came back once");
        vm.assertEq(re.balanceOf(address(channels)), 0, "nothing left behind");
    }

    function testFuzz_RedeemTwice_PaysExactlyTheCappedCumulativeAmount(
        uint256 deposit,
        uint256 first,
        uint256 second,
        bool eighteenDecimals
    ) public {
        MockERC20 token = eighteenDecimals ? dai : usdc;
        deposit = bound(deposit, 1, eighteenDecimals ? 1e24 : 1e12);
        first = bound(first, 1, 2 * deposit);
        second = bound(second, first, 3 * deposit);
        uint256 id = _open(address(token), deposit);

        channels.redeem(id, first, _sign(tenantKey, id, first));
        uint256 firstPaid = first < deposit ? first : deposit;
        uint256 secondTotal = second < deposit ? second : deposit;
        if (secondTotal > firstPaid) {
            channels.redeem(id, second, _sign(tenantKey, id, second));
        }

        uint256 expectedFee = _fee(firstPaid) + _fee(secondTotal - firstPaid);
        vm.assertEq(token.balanceOf(gateway), secondTotal - expectedFee, "payee");
        vm.assertEq(channels.accruedFees(address(token)), expectedFee, "fees");
        vm.assertEq(token.balanceOf(address(channels)), deposit - secondTotal + expectedFee, "escrow + fees");
    }

    // ================================================================ redeemMany

    function test_WhenRedeemManyForOnePayee_EveryChannelIsPaid() public {
        (uint256[] memory ids, uint256[] memory amounts, bytes[] memory sigs) = _batch(3, address(usdc));
        channels.redeemMany(ids, amounts, sigs);
        uint256 total = amounts[0] + amounts[1] + amounts[2];
        uint256 fees = _fee(amounts[0]) + _fee(amounts[1]) + _fee(amounts[2]);
        vm.assertEq(usdc.balanceOf(gateway), total - fees, "payee paid for all three");
        vm.assertEq(channels.accruedFees(address(usdc)), fees, "fees accrued per voucher");
        for (uint256 i; i < 3; ++i) {
            (,,,,, uint256 redeemed,,) = channels.channel(ids[i]);
            vm.assertEq(redeemed, amounts[i], "redeemed per channel");
        }
    }

    function test_WhenRedeemManyMixesPayeesAndTokens_EachIsPaidItsOwn() public {
        address node = makeAddr("node");
        vm.startPrank(tenant);
        uint256 a = channels.open(gateway, address(usdc), 100e6, address(0));
        uint256 b = channels.open(node, address(usdc), 100e6, address(0));
        uint256 c = channels.open(gateway, address(dai), 100e18, address(0));
        uint256 d = channels.open(gateway, address(usdc), 100e6, address(0));
        vm.stopPrank();
        uint256[] memory ids = new uint256[](4);
        uint256[] memory amounts = new uint256[](4);
        bytes[] memory sigs = new bytes[](4);
        (ids[0], ids[1], ids[2], ids[3]) = (a, b, c, d);
        (amounts[0], amounts[1], amounts[2], amounts[3]) = (10e6, 20e6, 30e18, 40e6);
        for (uint256 i; i < 4; ++i) {
            sigs[i] = _sign(tenantKey, ids[i], amounts[i]);
        }
        channels.redeemMany(ids, amounts, sigs);
        vm.assertEq(usdc.balanceOf(gateway), 50e6 - _fee(10e6) - _fee(40e6), "gateway usdc");
        vm.assertEq(usdc.balanceOf(node), 20e6 - _fee(20e6), "node usdc");
        vm.assertEq(dai.balanceOf(gateway), 30e18 - _fee(30e18), "gateway dai");
        vm.assertEq(channels.accruedFees(address(usdc)), _fee(10e6) + _fee(20e6) + _fee(40e6), "usdc fees");
        vm.assertEq(channels.accruedFees(address(dai)), _fee(30e18), "dai fees");
    }

    function test_RevertWhen_RedeemManyArraysDifferInLength() public {
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_LengthMismatch.selector, 2, 1, 2));
        channels.redeemMany(new uint256[](2), new uint256[](1), new bytes[](2));
    }

    function test_RevertWhen_RedeemManyIsEmpty() public {
        vm.expectRevert(IPaymentChannels.PaymentChannels_EmptyBatch.selector);
        channels.redeemMany(new uint256[](0), new uint256[](0), new bytes[](0));
    }

    function test_RevertWhen_OneVoucherInTheBatchIsBad_NothingIsPaid() public {
        (uint256[] memory ids, uint256[] memory amounts, bytes[] memory sigs) = _batch(3, address(usdc));
        sigs[2] = _sign(keyOf("stranger"), ids[2], amounts[2]);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_VoucherSignerMismatch.selector, ids[2], tenant, stranger
            )
        );
        channels.redeemMany(ids, amounts, sigs);
        vm.assertEq(usdc.balanceOf(gateway), 0, "all or nothing");
    }

    function test_RevertWhen_TheSameVoucherAppearsTwiceInABatch() public {
        (uint256[] memory ids, uint256[] memory amounts, bytes[] memory sigs) = _batch(2, address(usdc));
        ids[1] = ids[0];
        amounts[1] = amounts[0];
        sigs[1] = sigs[0];
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_NothingToRedeem.selector, ids[0], amounts[0], amounts[0]
            )
        );
        channels.redeemMany(ids, amounts, sigs);
    }

    function testFuzz_RedeemMany_PaysTheSameAsOneByOne(uint256 seed, uint8 count) public {
        uint256 n = bound(count, 1, 4);
        uint256[] memory ids = new uint256[](n);
        uint256[] memory amounts = new uint256[](n);
        bytes[] memory sigs = new bytes[](n);
        uint256 expectedPayee;
        uint256 expectedFees;
        for (uint256 i; i < n; ++i) {
            ids[i] = _open(address(usdc), 100e6);
            amounts[i] = bound(uint256(keccak256(abi.encode(seed, i))), 1, 150e6); // some above the deposit
            sigs[i] = _sign(tenantKey, ids[i], amounts[i]);
            uint256 paid = amounts[i] < 100e6 ? amounts[i] : 100e6;
            expectedPayee += paid - _fee(paid);
            expectedFees += _fee(paid);
        }
        channels.redeemMany(ids, amounts, sigs);
        vm.assertEq(usdc.balanceOf(gateway), expectedPayee, "payee");
        vm.assertEq(channels.accruedFees(address(usdc)), expectedFees, "fees");
    }

    // ================================================================ startClose / finalizeClose

    function test_WhenThePayerStartsClose_TheChallengePeriodRuns() public {
        uint256 id = _open(address(usdc), 100e6);
        uint64 closesAt = uint64(block.timestamp) + CHALLENGE_PERIOD;
        vm.expectEmit(true, true, true, true, address(channels));
        emit IPaymentChannels.CloseStarted(id, closesAt);
        vm.prank(tenant);
        channels.startClose(id);
        (,,,,,, uint64 stored, bool closed) = channels.channel(id);
        vm.assertEq(stored, closesAt, "closesAt");
        vm.assertFalse(closed, "not closed yet");
    }

    function test_RevertWhen_SomeoneElseStartsClose() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_NotPayer.selector, id, gateway, tenant));
        vm.prank(gateway);
        channels.startClose(id);
    }

    function test_RevertWhen_StartCloseOfAnUnknownChannel() public {
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelNotFound.selector, 9));
        channels.startClose(9);
    }

    function test_RevertWhen_StartCloseTwice() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.prank(tenant);
        channels.startClose(id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_ChannelClosing.selector, id, uint64(block.timestamp) + CHALLENGE_PERIOD
            )
        );
        vm.prank(tenant);
        channels.startClose(id);
    }

    function test_RevertWhen_StartCloseAfterClose() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.prank(gateway);
        channels.closeByPayee(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelClosed.selector, id));
        vm.prank(tenant);
        channels.startClose(id);
    }

    function test_WhenTheChallengePeriodIsOver_AnyoneFinalizesAndThePayerIsRefunded() public {
        uint256 id = _open(address(usdc), 100e6);
        channels.redeem(id, 30e6, _sign(tenantKey, id, 30e6));
        vm.prank(tenant);
        channels.startClose(id);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        uint256 before = usdc.balanceOf(tenant);

        vm.expectEmit(true, true, true, true, address(channels));
        emit IPaymentChannels.ChannelClosed(id, 70e6);
        vm.prank(stranger);
        channels.finalizeClose(id);

        vm.assertEq(usdc.balanceOf(tenant), before + 70e6, "refund to the payer");
        vm.assertEq(usdc.balanceOf(address(channels)), _fee(30e6), "only the fee is left");
        (,,,,,,, bool closed) = channels.channel(id);
        vm.assertTrue(closed, "closed");
    }

    function test_WhenEverythingWasRedeemed_FinalizeCloseRefundsNothing() public {
        uint256 id = _open(address(usdc), 100e6);
        channels.redeem(id, 100e6, _sign(tenantKey, id, 100e6));
        vm.prank(tenant);
        channels.startClose(id);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        uint256 before = usdc.balanceOf(tenant);
        channels.finalizeClose(id);
        vm.assertEq(usdc.balanceOf(tenant), before, "nothing to refund");
    }

    function test_RevertWhen_FinalizeCloseBeforeStartClose() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_CloseNotStarted.selector, id));
        channels.finalizeClose(id);
    }

    function test_RevertWhen_FinalizeCloseInTheChallengePeriod() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.prank(tenant);
        channels.startClose(id);
        uint64 closesAt = uint64(block.timestamp) + CHALLENGE_PERIOD;
        vm.warp(closesAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPaymentChannels.PaymentChannels_ChallengePeriodNotOver.selector, id, closesAt, closesAt - 1
            )
        );
        channels.finalizeClose(id);
    }

    function test_RevertWhen_FinalizeCloseTwice() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.prank(tenant);
        channels.startClose(id);
        vm.warp(block.timestamp + CHALLENGE_PERIOD);
        channels.finalizeClose(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelClosed.selector, id));
        channels.finalizeClose(id);
    }

    function test_RevertWhen_FinalizeCloseOfAnUnknownChannel() public {
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelNotFound.selector, 5));
        channels.finalizeClose(5);
    }

    function testFuzz_FinalizeClose_RefundsDepositMinusRedeemed(uint256 deposit, uint256 voucher, uint256 wait) public {
        deposit = bound(deposit, 1, 1e12);
        voucher = bound(voucher, 0, 2 * deposit);
        wait = bound(wait, CHALLENGE_PERIOD, 3650 days);
        uint256 id = _open(address(usdc), deposit);
        if (voucher != 0) channels.redeem(id, voucher, _sign(tenantKey, id, voucher));
        vm.prank(tenant);
        channels.startClose(id);
        vm.warp(block.timestamp + wait);
        uint256 before = usdc.balanceOf(tenant);
        channels.finalizeClose(id);
        uint256 redeemed = voucher < deposit ? voucher : deposit;
        vm.assertEq(usdc.balanceOf(tenant) - before, deposit - redeemed, "refund");
    }

    // ================================================================ closeByPayee

    function test_WhenThePayeeCloses_ThePayerIsRefundedAtOnce() public {
        uint256 id = _open(address(usdc), 100e6);
        channels.redeem(id, 25e6, _sign(tenantKey, id, 25e6));
        uint256 before = usdc.balanceOf(tenant);
        vm.expectEmit(true, true, true, true, address(channels));
        emit IPaymentChannels.ChannelClosed(id, 75e6);
        vm.prank(gateway);
        channels.closeByPayee(id);
        vm.assertEq(usdc.balanceOf(tenant), before + 75e6, "refund");
    }

    function test_WhenThePayeeClosesDuringTheChallengePeriod_ItClosesAtOnce() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.prank(tenant);
        channels.startClose(id);
        vm.prank(gateway);
        channels.closeByPayee(id);
        (,,,,,,, bool closed) = channels.channel(id);
        vm.assertTrue(closed, "closed");
    }

    function test_RevertWhen_SomeoneElseClosesAsPayee() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_NotPayee.selector, id, tenant, gateway));
        vm.prank(tenant);
        channels.closeByPayee(id);
    }

    function test_RevertWhen_ThePayeeClosesTwice() public {
        uint256 id = _open(address(usdc), 100e6);
        vm.prank(gateway);
        channels.closeByPayee(id);
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelClosed.selector, id));
        vm.prank(gateway);
        channels.closeByPayee(id);
    }

    function test_RevertWhen_ClosingAnUnknownChannelAsPayee() public {
        vm.expectRevert(abi.encodeWithSelector(IPaymentChannels.PaymentChannels_ChannelNotFound.selector, 3));
        channels.closeByPayee(3);
    }

    /// The token index is split over both channel slots (16 + 8 bits); this exercises the high part, which the
    /// first 65,535 tokens never set.
    function test_WhenTheTokenIndexNeedsMoreThan16Bits_EachChannelStillPaysItsOwnToken() public {
        // slot 6 is _tokenCount (forge inspect PaymentChannels storageLayout): pretend 65,535 tokens came before
        vm.store(address(channels), bytes32(uint256(6)), bytes32(uint256(type(uint16).max)));
        vm.startPrank(tenant);
        uint256 a = channels.open(gateway, address(usdc), 100e6, address(0));
        uint256 b = channels.open(gateway, address(dai), 100e18, session);
        uint256 c = channels.open(gateway, address(usdc), 50e6, session);
        vm.stopPrank();
        (,, address tokenA, address signerA, uint256 depositA,,,) = channels.channel(a);
        (,, address tokenB, address signerB,,,,) = channels.channel(b);
        (,, address tokenC,,,,,) = channels.channel(c);
        vm.assertEq(tokenA, address(usdc), "a: usdc (index 2^16)");
        vm.assertEq(tokenB, address(dai), "b: dai (index 2^16 + 1)");
        vm.assertEq(tokenC, address(usdc), "c: usdc again, same index");
        vm.assertEq(signerA, tenant, "a: the payer signs");
        vm.assertEq(signerB, session, "b: the session key signs");
        vm.assertEq(depositA, 100e6, "a: deposit next to the index bits");

        channels.redeem(a, 10e6, _sign(tenantKey, a, 10e6));
        channels.redeem(b, 30e18, _sign(sessionKey, b, 30e18));
        vm.assertEq(usdc.balanceOf(gateway), 10e6 - _fee(10e6), "gateway usdc");
        vm.assertEq(dai.balanceOf(gateway), 30e18 - _fee(30e18), "gateway dai");
        vm.assertEq(channels.accruedFees(address(usdc)), _fee(10e6), "usdc fees");
        vm.assertEq(channels.accruedFees(address(dai)), _fee(30e18), "dai fees");

        vm.prank(gateway);
        channels.closeByPayee(c);
        vm.assertEq(usdc.balanceOf(address(channels)), 90e6 + _fee(10e6), "c refunded in usdc; a and its fee stay");
    }

    // ================================================================ fees

    function test_WhenFeesAreCollected_TheTreasuryGetsAllButOneUnit() public {
        uint256 id = _open(address(usdc), 100e6);
        channels.redeem(id, 100e6, _sign(tenantKey, id, 100e6));
        uint256 accrued = channels.accruedFees(address(usdc));
        vm.expectEmit(true, true, true, true, address(channels));
        emit IPaymentChannels.FeesCollected(address(usdc), treasury, accrued - 1);
        vm.prank(stranger);
        channels.collectFees(address(usdc));
        vm.assertEq(usdc.balanceOf(treasury), accrued - 1, "treasury");
        vm.assertEq(channels.accruedFees(address(usdc)), 1, "one unit stays");
    }

    function test_RevertWhen_NoFeesToCollect() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPaymentChannels.PaymentChannels_NothingToCollect.selector, address(dai))
        );
        channels.collectFees(address(dai));
    }

    // ================================================================ views

    function test_WhenTheChannelDoesNotExist_TheViewIsAllZero() public view {
        (address payer, address payee, address token, address signer, uint256 deposit,,,) =
            channels.channel(uint256(uint160(tenant)) << 96);
        vm.assertEq(payer, address(0), "payer");
        vm.assertEq(payee, address(0), "payee");
        vm.assertEq(token, address(0), "token");
        vm.assertEq(signer, address(0), "signer");
        vm.assertEq(deposit, 0, "deposit");
    }

    function test_WhenDigestIsComputed_ItFollowsEip712() public view {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Gridshare PaymentChannels"),
                keccak256("1"),
                block.chainid,
                address(channels)
            )
        );
        vm.assertEq(channels.DOMAIN_SEPARATOR(), domain, "domain separator");
        bytes32 structHash = keccak256(
            abi.encode(keccak256("Voucher(uint256 channelId,uint256 cumulativeAmount)"), uint256(77), uint256(5e6))
        );
        vm.assertEq(
            channels.voucherDigest(77, 5e6), keccak256(abi.encodePacked("\x19\x01", domain, structHash)), "digest"
        );
    }

    // ================================================================ helpers

    function _batch(uint256 n, address token)
        internal
        returns (uint256[] memory ids, uint256[] memory amounts, bytes[] memory sigs)
    {
        ids = new uint256[](n);
        amounts = new uint256[](n);
        sigs = new bytes[](n);
        uint256 unit = token == address(usdc) ? 1e6 : 1e18;
        for (uint256 i; i < n; ++i) {
            ids[i] = _open(token, 100 * unit);
            amounts[i] = (i + 1) * 7 * unit;
            sigs[i] = _sign(tenantKey, ids[i], amounts[i]);
        }
    }

    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 0x20))
            s := mload(add(sig, 0x40))
            v := byte(0, mload(add(sig, 0x60)))
        }
        return ecrecover(digest, v, r, s);
    }

    function _permit(uint256 key, address holder, uint256 value, uint256 deadline)
        internal
        view
        returns (uint8, bytes32, bytes32)
    {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                holder,
                address(channels),
                value,
                dai.nonces(holder),
                deadline
            )
        );
        return vm.sign(key, keccak256(abi.encodePacked("\x19\x01", dai.DOMAIN_SEPARATOR(), structHash)));
    }
}
