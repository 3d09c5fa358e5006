// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {PaymentChannels} from "../../src/PaymentChannels.sol";
import {IPaymentChannels} from "../../src/interfaces/IPaymentChannels.sol";
import {MockERC20} from "../mocks/MockERC20.sol";
import {TestBase} from "../utils/TestBase.sol";

/// @notice Drives PaymentChannels with random but valid actions from several payers, payees, signers and two
/// tokens (6 and 18 decimals), and keeps ghost books of what should be true. Invalid picks are turned into
/// valid ones (bound) or skipped, so every call it makes is expected to succeed; replays are attempted on
/// purpose and recorded when they do not fail.
contract PaymentChannelsHandler is TestBase {
    PaymentChannels public immutable channels;
    MockERC20[2] public tokens;

    uint256[3] internal payerKeys;
    address[3] internal payers;
    uint256 internal sessionKey;
    address internal session;
    address[2] internal payees;

    struct Voucher {
        uint256 channelId;
        uint256 amount;
        bytes signature;
    }

    // ---- ghost books
    uint256[] public channelIds;
    mapping(uint256 channelId => uint256) public signerKeyOf;
    mapping(uint256 channelId => uint256) public ghostDeposit;
    mapping(uint256 channelId => uint256) public ghostRedeemed;
    mapping(uint256 channelId => uint256) public ghostRefunded;
    mapping(uint256 channelId => bool) public ghostClosed;
    mapping(address token => uint256) public ghostDeposits;
    mapping(address token => uint256) public ghostRedeemedTotal;
    mapping(address token => uint256) public ghostRefundedTotal;
    mapping(address token => uint256) public ghostFees;
    mapping(address token => uint256) public ghostCollected;
    Voucher[] internal vouchers;
    uint256 public replaysAccepted;
    uint256 public replaysRefusedWrongly;
    uint256 public redeemedDecreases;
    mapping(bytes4 => uint256) public calls;

    constructor(PaymentChannels channels_, MockERC20 sixDecimals, MockERC20 eighteenDecimals) {
        channels = channels_;
        tokens = [sixDecimals, eighteenDecimals];
        for (uint256 i; i < 3; ++i) {
            string memory name = string.concat("payer ", vm.toString(i));
            payerKeys[i] = keyOf(name);
            payers[i] = makeAddr(name);
            for (uint256 t; t < 2; ++t) {
                tokens[t].mint(payers[i], type(uint96).max);
                vm.prank(payers[i]);
                tokens[t].approve(address(channels), type(uint256).max);
            }
        }
        sessionKey = keyOf("session");
        session = makeAddr("session");
        payees = [makeAddr("payee 0"), makeAddr("payee 1")];
    }

    function channelCount() external view returns (uint256) {
        return channelIds.length;
    }

    // ---------------------------------------------------------------- actions

    function open(uint256 payerSeed, uint256 payeeSeed, uint256 tokenSeed, uint256 deposit, bool withSession) external {
        calls[this.open.selector]++;
        uint256 p = payerSeed % 3;
        MockERC20 token = tokens[tokenSeed % 2];
        deposit = bound(deposit, 1, token.decimals() == 6 ? 1e12 : 1e22);
        vm.prank(payers[p]);
        uint256 id = channels.open(payees[payeeSeed % 2], address(token), deposit, withSession ? session : address(0));
        channelIds.push(id);
        signerKeyOf[id] = withSession ? sessionKey : payerKeys[p];
        ghostDeposit[id] = deposit;
        ghostDeposits[address(token)] += deposit;
        // Spread opens over blocks, with some in the same block (ids then differ by sequence).
        if (deposit % 3 == 0) vm.roll(block.number + 1);
    }

    function topUp(uint256 channelSeed, uint256 amount, uint256 funderSeed) external {
        calls[this.topUp.selector]++;
        (uint256 id, bool found) = _pick(channelSeed);
        if (!found) return;
        (,, address token,,,, uint64 closesAt, bool closed) = channels.channel(id);
        if (closed || closesAt != 0) return;
        amount = bound(amount, 1, MockERC20(token).decimals() == 6 ? 1e12 : 1e22);
        vm.prank(payers[funderSeed % 3]); // anyone may fund a channel
        channels.topUp(id, amount);
        ghostDeposit[id] += amount;
        ghostDeposits[token] += amount;
    }

    function redeem(uint256 channelSeed, uint256 increment, uint256 submitterSeed) external {
        calls[this.redeem.selector]++;
        (uint256 id, bool found) = _pick(channelSeed);
        if (!found || ghostClosed[id]) return;
        uint256 deposit = ghostDeposit[id];
        if (ghostRedeemed[id] == deposit) return;
        // Cumulative amounts up to 1.5 x the deposit: vouchers above the deposit are capped on-chain.
        uint256 amount = ghostRedeemed[id] + bound(increment, 1, deposit + deposit / 2);
        bytes memory sig = _sign(id, amount);
        vm.prank(submitterSeed % 2 == 0 ? payees[0] : payers[submitterSeed % 3]); // anyone may submit
        channels.redeem(id, amount, sig);
        _book(id, amount);
        vouchers.push(Voucher(id, amount, sig));
    }

    function redeemMany(uint256 seed, uint256 count) external {
        calls[this.redeemMany.selector]++;
        uint256 n = bound(count, 1, 5);
        uint256[] memory ids = new uint256[](n);
        uint256[] memory amounts = new uint256[](n);
        bytes[] memory sigs = new bytes[](n);
        uint256 taken;
        for (uint256 i; i < n && channelIds.length != 0; ++i) {
            uint256 id = channelIds[uint256(keccak256(abi.encode(seed, i))) % channelIds.length];
            if (ghostClosed[id] || ghostRedeemed[id] == ghostDeposit[id] || _taken(ids, taken, id)) continue;
            uint256 amount =
                ghostRedeemed[id] + 1 + uint256(keccak256(abi.encode(seed, i, "amount"))) % ghostDeposit[id];
            ids[taken] = id;
            amounts[taken] = amount;
            sigs[taken] = _sign(id, amount);
            ++taken;
        }
        if (taken == 0) return;
        assembly ("memory-safe") {
            mstore(ids, taken)
            mstore(amounts, taken)
            mstore(sigs, taken)
        }
        channels.redeemMany(ids, amounts, sigs);
        for (uint256 i; i < taken; ++i) {
            _book(ids[i], amounts[i]);
            vouchers.push(Voucher(ids[i], amounts[i], sigs[i]));
        }
    }

    /// A voucher is worth at most its amount, in total: resubmitting an earlier voucher must fail, unless it was
    /// capped by the deposit and a top-up since lets it pay the rest of its amount (and no more).
    function replay(uint256 voucherSeed) external {
        calls[this.replay.selector]++;
        if (vouchers.length == 0) return;
        Voucher memory v = vouchers[voucherSeed % vouchers.length];
        uint256 id = v.channelId;
        uint256 capped = v.amount < ghostDeposit[id] ? v.amount : ghostDeposit[id];
        bool mayPay = !ghostClosed[id] && capped > ghostRedeemed[id];
        try channels.redeem(id, v.amount, v.signature) {
            if (mayPay) _book(id, v.amount);
            else replaysAccepted++;
        } catch {
            if (mayPay) replaysRefusedWrongly++;
        }
    }

    function startClose(uint256 channelSeed) external {
        calls[this.startClose.selector]++;
        (uint256 id, bool found) = _pick(channelSeed);
        if (!found) return;
        (address payer,,,,,, uint64 closesAt, bool closed) = channels.channel(id);
        if (closed || closesAt != 0) return;
        vm.prank(payer);
        channels.startClose(id);
    }

    function finalizeClose(uint256 channelSeed, uint256 wait) external {
        calls[this.finalizeClose.selector]++;
        (uint256 id, bool found) = _pick(channelSeed);
        if (!found) return;
        (,,,,,, uint64 closesAt, bool closed) = channels.channel(id);
        if (closed || closesAt == 0) return;
        vm.warp(block.timestamp + bound(wait, 0, 2 days));
        if (block.timestamp < closesAt) return;
        channels.finalizeClose(id);
        _bookClose(id);
    }

    function closeByPayee(uint256 channelSeed) external {
        calls[this.closeByPayee.selector]++;
        (uint256 id, bool found) = _pick(channelSeed);
        if (!found) return;
        (, address payee,,,,,, bool closed) = channels.channel(id);
        if (closed) return;
        vm.prank(payee);
        channels.closeByPayee(id);
        _bookClose(id);
    }

    function collectFees(uint256 tokenSeed) external {
        calls[this.collectFees.selector]++;
        address token = address(tokens[tokenSeed % 2]);
        uint256 accrued = channels.accruedFees(token);
        if (accrued <= 1) return;
        channels.collectFees(token);
        ghostCollected[token] += accrued - 1;
    }

    function warp(uint256 seconds_) external {
        calls[this.warp.selector]++;
        vm.warp(block.timestamp + bound(seconds_, 1, 1 days));
    }

    // ---------------------------------------------------------------- helpers

    function _book(uint256 id, uint256 cumulativeAmount) internal {
        uint256 capped = cumulativeAmount < ghostDeposit[id] ? cumulativeAmount : ghostDeposit[id];
        uint256 paid = capped - ghostRedeemed[id];
        (,, address token,,, uint256 redeemed,,) = channels.channel(id);
        if (redeemed < ghostRedeemed[id]) redeemedDecreases++;
        ghostRedeemed[id] = capped;
        ghostRedeemedTotal[token] += paid;
        ghostFees[token] += paid * channels.FEE_BPS() / 10_000;
    }

    function _bookClose(uint256 id) internal {
        (,, address token,,,,,) = channels.channel(id);
        uint256 refund = ghostDeposit[id] - ghostRedeemed[id];
        ghostClosed[id] = true;
        ghostRefunded[id] = refund;
        ghostRefundedTotal[token] += refund;
    }

    function _pick(uint256 seed) internal view returns (uint256 id, bool found) {
        if (channelIds.length == 0) return (0, false);
        return (channelIds[seed % channelIds.length], true);
    }

    function _taken(uint256[] memory ids, uint256 n, uint256 id) internal pure returns (bool) {
        for (uint256 i; i < n; ++i) {
            if (ids[i] == id) return true;
        }
        return false;
    }

    function _sign(uint256 id, uint256 amount) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerKeyOf[id], channels.voucherDigest(id, amount));
        return abi.encodePacked(r, s, v);
    }
}
