// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IPaymentChannels} from "./interfaces/IPaymentChannels.sol";

/// @title PaymentChannels
/// @notice See IPaymentChannels. Storage is laid out for the gas budgets in docs/gas.md: a channel is two
/// storage slots whoever signs (the token is a 24-bit index into a registry of the tokens ever used), the payer
/// lives in the channel id, `closesAt` gets its own slot only when a close starts, and fees accrue in one slot
/// per token instead of a transfer per redeem.
contract PaymentChannels is IPaymentChannels, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev Packed so that open writes two slots and redeem touches two slots, with or without a session signer.
    /// Four addresses do not fit two slots next to two amounts, so the payer lives in the id and the token is an
    /// index into the token registry, split over the spare bits of both slots (24 bits: registering 2^24 tokens
    /// to exhaust it is out of reach, where 2^16 would be cheap enough to lock new tokens out for good).
    struct Channel {
        // slot 0
        address payee;
        uint80 deposit;
        uint16 tokenLow; // low 16 bits of the token's registry index
        // slot 1
        address signer; // the payer too when it signs itself: slot 1 is then never zero, so redeem rewrites it cheaply
        uint80 redeemed;
        bool closed;
        uint8 tokenHigh; // high 8 bits of the token's registry index
    }

    /// @dev What one redemption pays, and in redeemMany one transfer: consecutive channels with the same payee
    /// and token share it.
    struct Payout {
        address payee;
        address token;
        uint24 tokenIndex;
        uint256 toPayee;
        uint256 fee;
    }

    /// @dev A registered token and its accrued fees share one slot, so redeem reads the token and accrues the fee
    /// in the slot it already pays for.
    struct TokenEntry {
        address token;
        uint96 accruedFees;
    }

    uint16 private constant MAX_FEE_BPS = 100;
    uint64 private constant MAX_CHALLENGE_PERIOD = 30 days;
    uint256 private constant BPS = 10_000;

    /// @inheritdoc IPaymentChannels
    uint256 public constant MAX_AMOUNT = type(uint80).max;

    /// @inheritdoc IPaymentChannels
    bytes32 public constant VOUCHER_TYPEHASH = keccak256("Voucher(uint256 channelId,uint256 cumulativeAmount)");

    /// @inheritdoc IPaymentChannels
    uint16 public immutable FEE_BPS;

    /// @inheritdoc IPaymentChannels
    address public immutable TREASURY;

    /// @inheritdoc IPaymentChannels
    uint64 public immutable CHALLENGE_PERIOD;

    mapping(uint256 channelId => Channel) private _channels;

    /// @dev Zero until startClose: written by a close only, so open does not pay for it.
    mapping(uint256 channelId => uint64 closesAt) private _closesAt;

    /// @dev The token registry: a token gets the next index (from 1) on its first channel; zero means never used.
    mapping(address token => uint24 index) private _tokenIndex;

    mapping(uint24 index => TokenEntry) private _tokens;

    uint24 private _tokenCount;

    constructor(uint16 feeBps, address treasury, uint64 challengePeriod) EIP712("Gridshare PaymentChannels", "1") {
        if (feeBps > MAX_FEE_BPS) revert PaymentChannels_FeeTooHigh(feeBps, MAX_FEE_BPS);
        if (feeBps != 0 && treasury == address(0)) revert PaymentChannels_ZeroTreasury();
        if (challengePeriod > MAX_CHALLENGE_PERIOD) {
            revert PaymentChannels_ChallengePeriodTooLong(challengePeriod, MAX_CHALLENGE_PERIOD);
        }
        FEE_BPS = feeBps;
        TREASURY = treasury;
        CHALLENGE_PERIOD = challengePeriod;
    }

    // ---------------------------------------------------------------- payer

    /// @inheritdoc IPaymentChannels
    function open(address payee, address token, uint256 deposit, address signer)
        external
        nonReentrant
        returns (uint256 channelId)
    {
        channelId = _open(payee, token, deposit, signer);
    }

    /// @inheritdoc IPaymentChannels
    function openWithPermit(
        address payee,
        address token,
        uint256 deposit,
        address signer,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant returns (uint256 channelId) {
        // A failed permit is not fatal: it may have been front-run (the allowance is then already set);
        // if the allowance is missing, the transfer below fails instead.
        try IERC20Permit(token).permit(msg.sender, address(this), deposit, permitDeadline, v, r, s) {} catch {}
        channelId = _open(payee, token, deposit, signer);
    }

    /// @inheritdoc IPaymentChannels
    function topUp(uint256 channelId, uint256 amount) external nonReentrant {
        // Check
        Channel storage c = _channels[channelId];
        uint256 deposit = c.deposit;
        if (c.payee == address(0)) revert PaymentChannels_ChannelNotFound(channelId);
        if (c.closed) revert PaymentChannels_ChannelClosed(channelId);
        uint64 closesAt = _closesAt[channelId];
        if (closesAt != 0) revert PaymentChannels_ChannelClosing(channelId, closesAt);
        if (amount == 0) revert PaymentChannels_ZeroAmount();
        uint256 newDeposit = deposit + amount;
        if (newDeposit > MAX_AMOUNT) revert PaymentChannels_AmountTooLarge(newDeposit, MAX_AMOUNT);
        address token = _tokenOf(c);

        // Effect
        // newDeposit <= MAX_AMOUNT was checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        c.deposit = uint80(newDeposit);
        emit ChannelToppedUp(channelId, amount, newDeposit);

        // Interaction
        _pull(token, msg.sender, amount);
    }

    /// @inheritdoc IPaymentChannels
    function startClose(uint256 channelId) external {
        // Check
        Channel storage c = _channels[channelId];
        if (c.payee == address(0)) revert PaymentChannels_ChannelNotFound(channelId);
        address payer = _payerOf(channelId);
        if (msg.sender != payer) revert PaymentChannels_NotPayer(channelId, msg.sender, payer);
        if (c.closed) revert PaymentChannels_ChannelClosed(channelId);
        uint64 closesAt = _closesAt[channelId];
        if (closesAt != 0) revert PaymentChannels_ChannelClosing(channelId, closesAt);

        // Effect
        closesAt = uint64(block.timestamp) + CHALLENGE_PERIOD;
        _closesAt[channelId] = closesAt;
        emit CloseStarted(channelId, closesAt);
    }

    /// @inheritdoc IPaymentChannels
    function finalizeClose(uint256 channelId) external nonReentrant {
        // Check
        Channel storage c = _channels[channelId];
        if (c.payee == address(0)) revert PaymentChannels_ChannelNotFound(channelId);
        if (c.closed) revert PaymentChannels_ChannelClosed(channelId);
        uint64 closesAt = _closesAt[channelId];
        if (closesAt == 0) revert PaymentChannels_CloseNotStarted(channelId);
        // challenge periods are hours or days; a validator's few seconds of skew do not matter
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < closesAt) {
            revert PaymentChannels_ChallengePeriodNotOver(channelId, closesAt, block.timestamp);
        }

        _close(channelId, c);
    }

    // ---------------------------------------------------------------- payee

    /// @inheritdoc IPaymentChannels
    function redeem(uint256 channelId, uint256 cumulativeAmount, bytes calldata signature) external nonReentrant {
        // Check and Effect (in _redeem)
        Payout memory out;
        _redeem(out, channelId, cumulativeAmount, signature);
        if (out.fee != 0) _accrueFee(out.tokenIndex, out.fee);

        // Interaction
        IERC20(out.token).safeTransfer(out.payee, out.toPayee);
    }

    /// @inheritdoc IPaymentChannels
    function redeemMany(
        uint256[] calldata channelIds,
        uint256[] calldata cumulativeAmounts,
        bytes[] calldata signatures
    ) external nonReentrant {
        // Check
        uint256 n = channelIds.length;
        if (cumulativeAmounts.length != n || signatures.length != n) {
            revert PaymentChannels_LengthMismatch(n, cumulativeAmounts.length, signatures.length);
        }
        if (n == 0) revert PaymentChannels_EmptyBatch();

        // Check and Effect, per channel; transfers are gathered per (payee, token) run.
        Payout[] memory payouts = new Payout[](n);
        uint256 runs;
        for (uint256 i; i < n; ++i) {
            runs = _redeemIntoRuns(payouts, runs, channelIds[i], cumulativeAmounts[i], signatures[i]);
        }
        // Effect
        for (uint256 i; i < runs; ++i) {
            if (payouts[i].fee != 0) _accrueFee(payouts[i].tokenIndex, payouts[i].fee);
        }

        // Interaction
        for (uint256 i; i < runs; ++i) {
            IERC20(payouts[i].token).safeTransfer(payouts[i].payee, payouts[i].toPayee);
        }
    }

    /// @inheritdoc IPaymentChannels
    function closeByPayee(uint256 channelId) external nonReentrant {
        // Check
        Channel storage c = _channels[channelId];
        address payee = c.payee;
        if (payee == address(0)) revert PaymentChannels_ChannelNotFound(channelId);
        if (msg.sender != payee) revert PaymentChannels_NotPayee(channelId, msg.sender, payee);
        if (c.closed) revert PaymentChannels_ChannelClosed(channelId);

        _close(channelId, c);
    }

    // ---------------------------------------------------------------- fees

    /// @inheritdoc IPaymentChannels
    function collectFees(address token) external nonReentrant {
        // Check
        TokenEntry storage entry = _tokens[_tokenIndex[token]];
        uint256 accrued = entry.accruedFees;
        if (accrued <= 1) revert PaymentChannels_NothingToCollect(token);

        // Effect: one base unit stays, as the interface documents (the entry's slot also holds the token, so it
        // would not go back to zero anyway).
        uint256 amount;
        unchecked {
            amount = accrued - 1; // accrued > 1
        }
        entry.accruedFees = 1;
        emit FeesCollected(token, TREASURY, amount);

        // Interaction
        IERC20(token).safeTransfer(TREASURY, amount);
    }

    /// @inheritdoc IPaymentChannels
    function accruedFees(address token) external view returns (uint256) {
        return _tokens[_tokenIndex[token]].accruedFees;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPaymentChannels
    function channel(uint256 channelId)
        external
        view
        returns (
            address payer,
            address payee,
            address token,
            address signer,
            uint256 deposit,
            uint256 redeemed,
            uint64 closesAt,
            bool closed
        )
    {
        Channel storage c = _channels[channelId];
        payee = c.payee;
        if (payee == address(0)) return (address(0), address(0), address(0), address(0), 0, 0, 0, false);
        payer = _payerOf(channelId);
        token = _tokenOf(c);
        signer = c.signer;
        deposit = c.deposit;
        redeemed = c.redeemed;
        closesAt = _closesAt[channelId];
        closed = c.closed;
    }

    /// @inheritdoc IPaymentChannels
    function voucherDigest(uint256 channelId, uint256 cumulativeAmount) external view returns (bytes32) {
        return _voucherDigest(channelId, cumulativeAmount);
    }

    /// @inheritdoc IPaymentChannels
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ---------------------------------------------------------------- internals

    function _open(address payee, address token, uint256 deposit, address signer) private returns (uint256 channelId) {
        // Check
        if (payee == address(0)) revert PaymentChannels_ZeroPayee();
        if (deposit == 0) revert PaymentChannels_ZeroAmount();
        if (deposit > MAX_AMOUNT) revert PaymentChannels_AmountTooLarge(deposit, MAX_AMOUNT);
        if (token.code.length == 0) revert PaymentChannels_NotAToken(token);
        if (signer == address(0)) signer = msg.sender;

        // Effect
        uint24 tokenIndex = _registerToken(token);
        Channel storage c;
        (channelId, c) = _newChannel(msg.sender);
        c.payee = payee;
        // deposit <= MAX_AMOUNT was checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        c.deposit = uint80(deposit);
        // the low and high parts of a 24-bit index
        // forge-lint: disable-next-line(unsafe-typecast)
        c.tokenLow = uint16(tokenIndex);
        c.signer = signer;
        // forge-lint: disable-next-line(unsafe-typecast)
        c.tokenHigh = uint8(tokenIndex >> 16);
        emit ChannelOpened(channelId, msg.sender, payee, token, signer, deposit);

        // Interaction
        _pull(token, msg.sender, deposit);
    }

    /// @dev The token's registry index, registering it on its first channel. Reverts (Panic 0x11) once 2^24 − 1
    /// tokens are registered.
    function _registerToken(address token) private returns (uint24 index) {
        index = _tokenIndex[token];
        if (index == 0) {
            index = ++_tokenCount;
            _tokenIndex[token] = index;
            _tokens[index].token = token;
        }
    }

    function _tokenOf(Channel storage c) private view returns (address) {
        return _tokens[_tokenIndexOf(c)].token;
    }

    function _tokenIndexOf(Channel storage c) private view returns (uint24) {
        return (uint24(c.tokenHigh) << 16) | c.tokenLow;
    }

    /// @dev The first free id `payer << 96 | block.number << 32 | sequence`. A channel's payee is never zero and
    /// never cleared, so a used id stays used: vouchers of a closed channel can never pay from a new one.
    /// Finding the slot free costs nothing extra, since the write that follows would pay for the cold access.
    function _newChannel(address payer) private view returns (uint256 channelId, Channel storage c) {
        channelId = (uint256(uint160(payer)) << 96) | (uint256(uint64(block.number)) << 32);
        c = _channels[channelId];
        while (c.payee != address(0)) {
            // Cannot overflow into the block bits in practice: it would take 2^32 channels by one payer in one block.
            unchecked {
                ++channelId;
            }
            c = _channels[channelId];
        }
    }

    /// @dev Checks a voucher, records it, and writes the payee, token, amount for the payee and fee into `out`.
    function _redeem(Payout memory out, uint256 channelId, uint256 cumulativeAmount, bytes calldata signature) private {
        // Check
        Channel storage c = _channels[channelId];
        address payee = c.payee;
        if (payee == address(0)) revert PaymentChannels_ChannelNotFound(channelId);
        if (c.closed) revert PaymentChannels_ChannelClosed(channelId);
        uint256 redeemed = c.redeemed;
        uint256 owed = _min(cumulativeAmount, c.deposit);
        if (owed <= redeemed) revert PaymentChannels_NothingToRedeem(channelId, cumulativeAmount, redeemed);
        _verifyVoucher(channelId, cumulativeAmount, signature, c.signer);

        // Effect
        // owed <= deposit, which fits in 80 bits
        // forge-lint: disable-next-line(unsafe-typecast)
        c.redeemed = uint80(owed);
        uint256 paid;
        unchecked {
            paid = owed - redeemed; // owed > redeemed
        }
        uint256 fee = (paid * FEE_BPS) / BPS;
        emit VoucherRedeemed(channelId, payee, cumulativeAmount, paid - fee, fee);
        out.payee = payee;
        uint24 tokenIndex = _tokenIndexOf(c);
        out.token = _tokens[tokenIndex].token;
        out.tokenIndex = tokenIndex;
        out.toPayee = paid - fee;
        out.fee = fee;
    }

    /// @dev Redeems one voucher of a batch and adds it to the current run, or starts a new run when the payee or
    /// token changes. Returns the number of runs so far.
    function _redeemIntoRuns(
        Payout[] memory payouts,
        uint256 runs,
        uint256 channelId,
        uint256 cumulativeAmount,
        bytes calldata signature
    ) private returns (uint256) {
        Payout memory one = payouts[runs == 0 ? 0 : runs - 1];
        if (runs == 0) {
            _redeem(one, channelId, cumulativeAmount, signature);
            return 1;
        }
        Payout memory next = Payout(address(0), address(0), 0, 0, 0);
        _redeem(next, channelId, cumulativeAmount, signature);
        if (next.payee != one.payee || next.token != one.token) {
            payouts[runs] = next;
            return runs + 1;
        }
        // Cannot overflow: every term is below 2^80 and a batch is far shorter than 2^160 vouchers.
        unchecked {
            one.toPayee += next.toPayee;
            one.fee += next.fee;
        }
        return runs;
    }

    function _verifyVoucher(uint256 channelId, uint256 cumulativeAmount, bytes calldata signature, address expected)
        private
        view
    {
        address recovered = _recoverSigner(channelId, _voucherDigest(channelId, cumulativeAmount), signature);
        if (recovered != expected) revert PaymentChannels_VoucherSignerMismatch(channelId, expected, recovered);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    function _close(uint256 channelId, Channel storage c) private {
        // Effect
        address token = _tokenOf(c);
        uint256 refund;
        unchecked {
            refund = c.deposit - c.redeemed; // redeemed <= deposit always
        }
        c.closed = true;
        emit ChannelClosed(channelId, refund);

        // Interaction
        if (refund != 0) IERC20(token).safeTransfer(_payerOf(channelId), refund);
    }

    function _accrueFee(uint24 tokenIndex, uint256 fee) private {
        // A fee is at most a 2^80 amount, and a run of a batch sums far fewer than 2^16 of them: it fits 96 bits.
        // The sum is checked: should the uncollected fees of a token ever near 2^96, anyone can collectFees.
        // forge-lint: disable-next-line(unsafe-typecast)
        _tokens[tokenIndex].accruedFees += uint96(fee);
    }

    /// @dev Pulls `amount` and refuses tokens that deliver anything else (fee-on-transfer, rebasing, hooks that
    /// move balances), so the books always match the balance.
    function _pull(address token, address from, uint256 amount) private {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 afterwards = IERC20(token).balanceOf(address(this));
        uint256 received = afterwards > before ? afterwards - before : 0;
        if (received != amount) revert PaymentChannels_TransferAmountMismatch(token, amount, received);
    }

    function _voucherDigest(uint256 channelId, uint256 cumulativeAmount) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, cumulativeAmount)));
    }

    /// @dev Reads r, s, v straight from calldata; OpenZeppelin's tryRecover rejects high s and bad v.
    function _recoverSigner(uint256 channelId, bytes32 digest, bytes calldata signature)
        private
        pure
        returns (address recovered)
    {
        if (signature.length != 65) revert PaymentChannels_MalformedVoucherSignature(channelId);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := calldataload(signature.offset)
            s := calldataload(add(signature.offset, 0x20))
            v := byte(0, calldataload(add(signature.offset, 0x40)))
        }
        ECDSA.RecoverError error;
        (recovered, error,) = ECDSA.tryRecover(digest, v, r, s);
        if (error != ECDSA.RecoverError.NoError) revert PaymentChannels_MalformedVoucherSignature(channelId);
    }

    function _payerOf(uint256 channelId) private pure returns (address) {
        // the top 160 bits of an id are the payer by construction
        // forge-lint: disable-next-line(unsafe-typecast)
        return address(uint160(channelId >> 96));
    }
}
