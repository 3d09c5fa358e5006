// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {INodeRegistry} from "./interfaces/INodeRegistry.sol";

/// @title NodeRegistry
/// @notice See INodeRegistry.
contract NodeRegistry is INodeRegistry, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    struct Node {
        // slot 0
        address operator;
        uint96 bonded;
        // slot 1
        uint96 unbonding;
        uint64 unbondingEndsAt;
        // slot 2
        bytes32 metadataHash;
        // slot 3 (and following, for long URIs)
        string metadataUri;
    }

    uint256 private constant MAX_STAKE = type(uint96).max;
    uint64 private constant MAX_UNBONDING_DELAY = 365 days;

    /// @inheritdoc INodeRegistry
    IERC20 public immutable GRID;

    /// @inheritdoc INodeRegistry
    uint256 public immutable MIN_STAKE;

    /// @inheritdoc INodeRegistry
    uint64 public immutable UNBONDING_DELAY;

    /// @inheritdoc INodeRegistry
    address public immutable VERIFIER;

    mapping(address nodeKey => Node) private _nodes;

    constructor(IERC20 grid, uint256 minStake, uint64 unbondingDelay, address verifier) {
        if (address(grid) == address(0)) revert NodeRegistry_ZeroGrid();
        if (unbondingDelay > MAX_UNBONDING_DELAY) {
            revert NodeRegistry_UnbondingDelayTooLong(unbondingDelay, MAX_UNBONDING_DELAY);
        }
        GRID = grid;
        MIN_STAKE = minStake;
        UNBONDING_DELAY = unbondingDelay;
        VERIFIER = verifier;
    }

    // ---------------------------------------------------------------- operator actions

    /// @inheritdoc INodeRegistry
    function register(address nodeKey, uint256 stake, bytes32 metadataHash, string calldata metadataUri)
        external
        nonReentrant
    {
        // Check
        if (nodeKey == address(0)) revert NodeRegistry_ZeroNodeKey();
        Node storage n = _nodes[nodeKey];
        address operator = n.operator;
        if (operator != address(0)) revert NodeRegistry_AlreadyRegistered(nodeKey, operator);
        if (stake < MIN_STAKE || stake == 0) revert NodeRegistry_StakeBelowMinimum(stake, MIN_STAKE);
        if (stake > MAX_STAKE) revert NodeRegistry_AmountTooLarge(stake, MAX_STAKE);

        // Effect
        n.operator = msg.sender;
        // stake <= MAX_STAKE was checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        n.bonded = uint96(stake);
        n.metadataHash = metadataHash;
        n.metadataUri = metadataUri;
        emit NodeRegistered(nodeKey, msg.sender, stake, metadataHash, metadataUri);

        // Interaction
        _pull(msg.sender, stake);
    }

    /// @inheritdoc INodeRegistry
    function topUp(address nodeKey, uint256 amount) external nonReentrant {
        // Check
        Node storage n = _operatorsNode(nodeKey);
        if (amount == 0) revert NodeRegistry_ZeroAmount();
        uint256 bonded = n.bonded + amount;
        if (bonded + n.unbonding > MAX_STAKE) revert NodeRegistry_AmountTooLarge(bonded + n.unbonding, MAX_STAKE);

        // Effect
        // bonded + unbonding <= MAX_STAKE was checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        n.bonded = uint96(bonded);
        emit StakeToppedUp(nodeKey, amount, bonded);

        // Interaction
        _pull(msg.sender, amount);
    }

    /// @inheritdoc INodeRegistry
    function startUnbonding(address nodeKey, uint256 amount) external {
        // Check
        Node storage n = _operatorsNode(nodeKey);
        if (amount == 0) revert NodeRegistry_ZeroAmount();
        uint256 bonded = n.bonded;
        if (amount > bonded) revert NodeRegistry_InsufficientBonded(nodeKey, amount, bonded);

        // Effect
        uint64 endsAt = uint64(block.timestamp) + UNBONDING_DELAY;
        unchecked {
            // below the stored uint96 bonded
            // forge-lint: disable-next-line(unsafe-typecast)
            n.bonded = uint96(bonded - amount); // amount <= bonded
        }
        // bonded + unbonding <= MAX_STAKE is kept by topUp, so the sum fits.
        // bonded + unbonding <= MAX_STAKE is kept by register and topUp
        // forge-lint: disable-next-line(unsafe-typecast)
        n.unbonding = uint96(n.unbonding + amount);
        n.unbondingEndsAt = endsAt;
        emit UnbondingStarted(nodeKey, amount, endsAt);
    }

    /// @inheritdoc INodeRegistry
    function withdrawUnbonded(address nodeKey) external nonReentrant {
        // Check
        Node storage n = _operatorsNode(nodeKey);
        uint256 amount = n.unbonding;
        if (amount == 0) revert NodeRegistry_NothingUnbonding(nodeKey);
        uint64 endsAt = n.unbondingEndsAt;
        // unbonding delays are days; a validator's few seconds of skew do not matter
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < endsAt) revert NodeRegistry_UnbondingNotOver(nodeKey, endsAt, block.timestamp);

        // Effect
        n.unbonding = 0;
        n.unbondingEndsAt = 0;
        emit UnbondedWithdrawn(nodeKey, msg.sender, amount);

        // Interaction
        GRID.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc INodeRegistry
    function slash(address nodeKey, uint256 amount, address recipient) external nonReentrant {
        // Check
        if (msg.sender != VERIFIER || VERIFIER == address(0)) revert NodeRegistry_NotVerifier(msg.sender, VERIFIER);
        Node storage n = _nodes[nodeKey];
        if (n.operator == address(0)) revert NodeRegistry_NotRegistered(nodeKey);
        if (amount == 0) revert NodeRegistry_ZeroAmount();
        if (recipient == address(0)) revert NodeRegistry_ZeroRecipient();
        uint256 bonded = n.bonded;
        uint256 unbonding = n.unbonding;
        if (amount > bonded + unbonding) revert NodeRegistry_SlashExceedsStake(nodeKey, amount, bonded + unbonding);

        // Effect: bonded stake first, then what is unbonding (it is still at stake until withdrawn).
        uint256 fromBonded = amount < bonded ? amount : bonded;
        unchecked {
            // below the stored uint96 values
            // forge-lint: disable-next-line(unsafe-typecast)
            n.bonded = uint96(bonded - fromBonded);
            // forge-lint: disable-next-line(unsafe-typecast)
            n.unbonding = uint96(unbonding - (amount - fromBonded)); // amount <= bonded + unbonding
        }
        emit NodeSlashed(nodeKey, amount, recipient);

        // Interaction
        GRID.safeTransfer(recipient, amount);
    }

    /// @inheritdoc INodeRegistry
    function updateMetadata(address nodeKey, bytes32 metadataHash, string calldata metadataUri) external {
        Node storage n = _operatorsNode(nodeKey);
        n.metadataHash = metadataHash;
        n.metadataUri = metadataUri;
        emit MetadataUpdated(nodeKey, metadataHash, metadataUri);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc INodeRegistry
    function nodeStatus(address nodeKey)
        external
        view
        returns (bool registered, bool active, uint256 bondedStake, address operator)
    {
        Node storage n = _nodes[nodeKey];
        operator = n.operator;
        bondedStake = n.bonded;
        registered = operator != address(0);
        active = registered && bondedStake >= MIN_STAKE;
    }

    /// @inheritdoc INodeRegistry
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
        )
    {
        Node storage n = _nodes[nodeKey];
        return (n.operator, n.bonded, n.unbonding, n.unbondingEndsAt, n.metadataHash, n.metadataUri);
    }

    // ---------------------------------------------------------------- internals

    function _operatorsNode(address nodeKey) private view returns (Node storage n) {
        n = _nodes[nodeKey];
        address operator = n.operator;
        if (operator == address(0)) revert NodeRegistry_NotRegistered(nodeKey);
        if (msg.sender != operator) revert NodeRegistry_NotOperator(nodeKey, msg.sender, operator);
    }

    /// @dev GRID is our own token, but the check keeps the books equal to the balance whatever GRID is.
    function _pull(address from, uint256 amount) private {
        uint256 before = GRID.balanceOf(address(this));
        GRID.safeTransferFrom(from, address(this), amount);
        uint256 afterwards = GRID.balanceOf(address(this));
        uint256 received = afterwards > before ? afterwards - before : 0;
        if (received != amount) revert NodeRegistry_TransferAmountMismatch(amount, received);
    }
}
