// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title IPaymentChannels
/// @notice Escrow for pay-per-token inference. A payer (a tenant, or a gateway paying a node) opens a channel
/// to one payee with a deposit of one ERC-20 token; off-chain, the channel's signer signs EIP-712 vouchers for
/// the cumulative amount owed; the payee (or anyone on its behalf) redeems the latest voucher, which pays the
/// difference to what was already redeemed, minus a protocol fee. The payer gets the rest back after
/// `startClose` plus CHALLENGE_PERIOD (during which the payee can still redeem), or at once when the payee
/// closes. There is no owner, no admin, no pause and no upgrade: FEE_BPS, TREASURY and CHALLENGE_PERIOD are
/// immutable.
///
/// Channel ids encode the payer: `payer << 96 | blockNumber << 32 | sequence` (sequence: the first free value
/// for that payer in that block). Ids are never reused, so a voucher can only ever pay out of its own channel.
///
/// Voucher: EIP-712, domain {name: "Gridshare PaymentChannels", version: "1", chainId, verifyingContract: this},
/// type `Voucher(uint256 channelId,uint256 cumulativeAmount)`, signature 65 bytes r || s || v (v = 27 or 28,
/// s in the lower half of the curve order).
interface IPaymentChannels {
    // ---------------------------------------------------------------- errors

    /// @notice Constructor: FEE_BPS above the 100 bps (1 %) ceiling.
    error PaymentChannels_FeeTooHigh(uint16 feeBps, uint16 maxFeeBps);
    /// @notice Constructor: a non-zero fee needs a treasury to go to.
    error PaymentChannels_ZeroTreasury();
    /// @notice Constructor: a challenge period over 30 days would let a deployment lock payers' refunds for too long.
    error PaymentChannels_ChallengePeriodTooLong(uint64 challengePeriod, uint64 maxChallengePeriod);
    /// @notice The payee is the zero address.
    error PaymentChannels_ZeroPayee();
    /// @notice The token address has no code.
    error PaymentChannels_NotAToken(address token);
    /// @notice A zero amount where only a positive one makes sense.
    error PaymentChannels_ZeroAmount();
    /// @notice An amount (or a deposit after a top-up) does not fit the 80 bits it is stored in.
    error PaymentChannels_AmountTooLarge(uint256 amount, uint256 maxAmount);
    /// @notice The contract's balance grew by a different amount than was transferred in
    /// (fee-on-transfer, rebasing or otherwise misbehaving token): such tokens are refused.
    error PaymentChannels_TransferAmountMismatch(address token, uint256 expected, uint256 received);
    /// @notice No channel has this id.
    error PaymentChannels_ChannelNotFound(uint256 channelId);
    /// @notice The channel is closed: no redeeming, no top-up, no second close.
    error PaymentChannels_ChannelClosed(uint256 channelId);
    /// @notice The payer already started closing the channel (a closing channel takes no more money).
    error PaymentChannels_ChannelClosing(uint256 channelId, uint64 closesAt);
    /// @notice Only the payer (encoded in the channel id) may do this.
    error PaymentChannels_NotPayer(uint256 channelId, address caller, address payer);
    /// @notice Only the payee may do this.
    error PaymentChannels_NotPayee(uint256 channelId, address caller, address payee);
    /// @notice finalizeClose before startClose.
    error PaymentChannels_CloseNotStarted(uint256 channelId);
    /// @notice finalizeClose before the challenge period is over.
    error PaymentChannels_ChallengePeriodNotOver(uint256 channelId, uint64 closesAt, uint256 nowTimestamp);
    /// @notice The signature is not 65 bytes, has a high s, or a v other than 27/28, or recovers nobody.
    error PaymentChannels_MalformedVoucherSignature(uint256 channelId);
    /// @notice The voucher was signed by someone other than the channel's signer (or for another channel,
    /// amount, contract or chain, which recovers a different address).
    error PaymentChannels_VoucherSignerMismatch(uint256 channelId, address expected, address recovered);
    /// @notice min(cumulativeAmount, deposit) is not above what was already redeemed: a replayed or stale voucher.
    error PaymentChannels_NothingToRedeem(uint256 channelId, uint256 cumulativeAmount, uint256 redeemed);
    /// @notice redeemMany's three arrays differ in length.
    error PaymentChannels_LengthMismatch(uint256 channelIds, uint256 cumulativeAmounts, uint256 signatures);
    /// @notice redeemMany with no channels.
    error PaymentChannels_EmptyBatch();
    /// @notice collectFees found nothing to send.
    error PaymentChannels_NothingToCollect(address token);

    // ---------------------------------------------------------------- events

    /// @notice A channel was opened; `signer` is the key whose vouchers it honours (the payer unless another
    /// was given).
    event ChannelOpened(
        uint256 indexed channelId,
        address indexed payer,
        address indexed payee,
        address token,
        address signer,
        uint256 deposit
    );
    /// @notice `amount` was added; `deposit` is the new total deposit.
    event ChannelToppedUp(uint256 indexed channelId, uint256 amount, uint256 deposit);
    /// @notice A voucher was redeemed: the payee got `paidToPayee`, the protocol `fee`; the channel's redeemed
    /// total is now min(cumulativeAmount, deposit).
    event VoucherRedeemed(
        uint256 indexed channelId, address indexed payee, uint256 cumulativeAmount, uint256 paidToPayee, uint256 fee
    );
    /// @notice The payer started closing; finalizeClose works from `closesAt` on.
    event CloseStarted(uint256 indexed channelId, uint64 closesAt);
    /// @notice The channel closed and `refunded` (deposit − redeemed) went back to the payer.
    event ChannelClosed(uint256 indexed channelId, uint256 refunded);
    /// @notice Accrued protocol fees of `token` were sent to the treasury.
    event FeesCollected(address indexed token, address indexed treasury, uint256 amount);

    // ---------------------------------------------------------------- payer

    /// @notice Opens a channel from msg.sender to `payee`, pulling `deposit` of `token` (needs an allowance).
    /// @param payee Who vouchers pay (a gateway or a node).
    /// @param token Any ERC-20 that moves exactly the amount asked for.
    /// @param deposit The escrowed amount, at most 2^80 − 1 base units (MAX_AMOUNT).
    /// @param signer The key that signs vouchers; zero (or msg.sender) means msg.sender itself.
    /// @return channelId The new channel's id (also in the ChannelOpened event).
    function open(address payee, address token, uint256 deposit, address signer) external returns (uint256 channelId);

    /// @notice `open` with an EIP-2612 permit for the deposit in the same transaction. A permit that fails
    /// (for instance because someone front-ran it) is ignored when the allowance is already there.
    function openWithPermit(
        address payee,
        address token,
        uint256 deposit,
        address signer,
        uint256 permitDeadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external returns (uint256 channelId);

    /// @notice Adds `amount` to the deposit, pulled from msg.sender (anyone may fund a channel).
    /// Refused once the channel is closing or closed.
    function topUp(uint256 channelId, uint256 amount) external;

    /// @notice Starts the challenge period; after it, anyone may call finalizeClose. Payer only.
    function startClose(uint256 channelId) external;

    /// @notice After the challenge period, closes the channel and refunds deposit − redeemed to the payer.
    /// Anyone may call it: the money can only go to the payer.
    function finalizeClose(uint256 channelId) external;

    // ---------------------------------------------------------------- payee

    /// @notice Pays min(cumulativeAmount, deposit) − redeemed: the payee gets it minus the fee, which accrues
    /// for the treasury. Anyone may call it: the money can only go to the payee. Works until the channel is
    /// closed, including during the challenge period.
    /// @param signature 65 bytes r || s || v over voucherDigest(channelId, cumulativeAmount).
    function redeem(uint256 channelId, uint256 cumulativeAmount, bytes calldata signature) external;

    /// @notice Redeems several vouchers in one transaction, all or nothing. Consecutive channels with the same
    /// payee and token are paid with one transfer, so sort a batch by (payee, token).
    function redeemMany(
        uint256[] calldata channelIds,
        uint256[] calldata cumulativeAmounts,
        bytes[] calldata signatures
    ) external;

    /// @notice Closes the channel at once and refunds deposit − redeemed to the payer. Payee only
    /// (redeem first: whatever is not redeemed goes back).
    function closeByPayee(uint256 channelId) external;

    // ---------------------------------------------------------------- fees

    /// @notice Sends the accrued fees of `token` to TREASURY, keeping one base unit (accruedFees never goes back
    /// to zero once fees accrued). Anyone may call it.
    function collectFees(address token) external;

    /// @notice Fees of `token` accrued for the treasury and not yet collected.
    function accruedFees(address token) external view returns (uint256);

    // ---------------------------------------------------------------- views

    /// @notice Everything about a channel; all zero when it does not exist.
    /// @return payer Who opened it and gets refunds.
    /// @return payee Who vouchers pay.
    /// @return token The deposit's token.
    /// @return signer The key whose vouchers count (the payer unless another was given).
    /// @return deposit Total deposited.
    /// @return redeemed Total paid out through vouchers (payee + fee).
    /// @return closesAt When finalizeClose becomes possible; zero if no close was started.
    /// @return closed Whether the channel is closed (refund done).
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
        );

    /// @notice The EIP-712 digest a signer signs for this voucher on this chain and contract.
    function voucherDigest(uint256 channelId, uint256 cumulativeAmount) external view returns (bytes32);

    /// @notice The EIP-712 domain separator (name "Gridshare PaymentChannels", version "1").
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice keccak256("Voucher(uint256 channelId,uint256 cumulativeAmount)").
    function VOUCHER_TYPEHASH() external view returns (bytes32);

    /// @notice Largest deposit a channel can hold (2^80 − 1 base units, about 1.2e24: 1.2 million tokens of 18 decimals).
    function MAX_AMOUNT() external view returns (uint256);

    /// @notice Protocol fee in basis points of every redeemed amount, at most 100.
    function FEE_BPS() external view returns (uint16);

    /// @notice Where collected fees go.
    function TREASURY() external view returns (address);

    /// @notice Seconds between startClose and the earliest finalizeClose.
    function CHALLENGE_PERIOD() external view returns (uint64);
}
