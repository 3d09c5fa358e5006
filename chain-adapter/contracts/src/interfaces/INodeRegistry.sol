// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title INodeRegistry
/// @notice Operators lock GRID (a stake) for the keys their compute nodes sign with. A gateway admits a node
/// only when `nodeStatus(key)` says it is active: registered and bonded with at least MIN_STAKE.
/// Stake leaves through unbonding: it stops counting at once and can be withdrawn after UNBONDING_DELAY,
/// and it stays slashable by VERIFIER until it is withdrawn. There is no owner and no admin; every
/// parameter is an immutable constructor argument.
interface INodeRegistry {
    // ---------------------------------------------------------------- errors

    /// @notice Constructor: an unbonding delay over 365 days would lock operators' stakes for too long.
    error NodeRegistry_UnbondingDelayTooLong(uint64 unbondingDelay, uint64 maxUnbondingDelay);
    /// @notice Constructor: the stake token is the zero address.
    error NodeRegistry_ZeroGrid();
    /// @notice The node key is the zero address.
    error NodeRegistry_ZeroNodeKey();
    /// @notice The node key already has an operator.
    error NodeRegistry_AlreadyRegistered(address nodeKey, address operator);
    /// @notice No operator has registered this node key.
    error NodeRegistry_NotRegistered(address nodeKey);
    /// @notice The caller is not the node's operator.
    error NodeRegistry_NotOperator(address nodeKey, address caller, address operator);
    /// @notice A registration's stake is below MIN_STAKE.
    error NodeRegistry_StakeBelowMinimum(uint256 stake, uint256 minStake);
    /// @notice A zero amount where only a positive one makes sense.
    error NodeRegistry_ZeroAmount();
    /// @notice An amount is larger than the 96 bits a stake is stored in.
    error NodeRegistry_AmountTooLarge(uint256 amount, uint256 max);
    /// @notice Unbonding asks for more than is bonded.
    error NodeRegistry_InsufficientBonded(address nodeKey, uint256 requested, uint256 bonded);
    /// @notice Nothing is unbonding for this node.
    error NodeRegistry_NothingUnbonding(address nodeKey);
    /// @notice The unbonding delay has not passed yet.
    error NodeRegistry_UnbondingNotOver(address nodeKey, uint64 endsAt, uint256 nowTimestamp);
    /// @notice The caller is not VERIFIER (a zero VERIFIER means slashing is disabled).
    error NodeRegistry_NotVerifier(address caller, address verifier);
    /// @notice A slash asks for more than the node's whole stake (bonded + unbonding).
    error NodeRegistry_SlashExceedsStake(address nodeKey, uint256 amount, uint256 stake);
    /// @notice The slash recipient is the zero address.
    error NodeRegistry_ZeroRecipient();
    /// @notice The stake token moved a different amount than asked (the registry refuses such tokens).
    error NodeRegistry_TransferAmountMismatch(uint256 expected, uint256 received);

    // ---------------------------------------------------------------- events

    /// @notice A node key was registered with its first stake.
    event NodeRegistered(
        address indexed nodeKey, address indexed operator, uint256 stake, bytes32 metadataHash, string metadataUri
    );
    /// @notice The operator added stake; `bonded` is the new bonded total.
    event StakeToppedUp(address indexed nodeKey, uint256 amount, uint256 bonded);
    /// @notice `amount` moved from bonded to unbonding; all unbonding stake is withdrawable at `endsAt`.
    event UnbondingStarted(address indexed nodeKey, uint256 amount, uint64 endsAt);
    /// @notice The operator withdrew `amount` of unbonded stake.
    event UnbondedWithdrawn(address indexed nodeKey, address indexed operator, uint256 amount);
    /// @notice VERIFIER took `amount` of the node's stake and sent it to `recipient`.
    event NodeSlashed(address indexed nodeKey, uint256 amount, address indexed recipient);
    /// @notice The operator changed the node's metadata.
    event MetadataUpdated(address indexed nodeKey, bytes32 metadataHash, string metadataUri);

    // ---------------------------------------------------------------- operator actions

    /// @notice Registers `nodeKey` with msg.sender as its operator and locks `stake` GRID (needs an allowance).
    /// @param nodeKey The address the node signs with (its challenge answers and vouchers).
    /// @param stake At least MIN_STAKE.
    /// @param metadataHash sha256 or keccak of the metadata document, so a gateway can check what it fetched.
    /// @param metadataUri Where the metadata document lives (https://, ipfs://, ...).
    function register(address nodeKey, uint256 stake, bytes32 metadataHash, string calldata metadataUri) external;

    /// @notice Adds `amount` GRID to the node's bonded stake. Operator only.
    function topUp(address nodeKey, uint256 amount) external;

    /// @notice Moves `amount` from bonded to unbonding and (re)starts the delay for everything unbonding.
    /// The node becomes inactive at once if its bonded stake falls below MIN_STAKE. Operator only.
    function startUnbonding(address nodeKey, uint256 amount) external;

    /// @notice Sends all unbonding stake to the operator once the delay is over. Operator only.
    function withdrawUnbonded(address nodeKey) external;

    /// @notice Takes `amount` of the node's stake (bonded first, then unbonding) and sends it to `recipient`.
    /// Only VERIFIER; with a zero VERIFIER nobody can slash.
    function slash(address nodeKey, uint256 amount, address recipient) external;

    /// @notice Replaces the node's metadata. Operator only.
    function updateMetadata(address nodeKey, bytes32 metadataHash, string calldata metadataUri) external;

    // ---------------------------------------------------------------- views

    /// @notice What a gateway needs to admit a node, in one call.
    /// @return registered Whether the key has an operator.
    /// @return active Whether it is registered and bonded with at least MIN_STAKE.
    /// @return bondedStake The bonded stake (unbonding stake not included).
    /// @return operator The operator (zero if not registered).
    function nodeStatus(address nodeKey)
        external
        view
        returns (bool registered, bool active, uint256 bondedStake, address operator);

    /// @notice Everything stored for a node key.
    function node(address nodeKey)
        external
        view
        returns (
            address operator,
            uint256 bonded,
            uint256 unbonding,
            uint64 unbondingEndsAt,
            bytes32 metadataHash,
            string memory metadataUri
        );

    /// @notice The stake token (GRID).
    function GRID() external view returns (IERC20);
    /// @notice The least bonded stake an active node has.
    function MIN_STAKE() external view returns (uint256);
    /// @notice Seconds between startUnbonding and the moment the stake can be withdrawn.
    function UNBONDING_DELAY() external view returns (uint64);
    /// @notice The only address that may slash (zero: nobody).
    function VERIFIER() external view returns (address);
}
