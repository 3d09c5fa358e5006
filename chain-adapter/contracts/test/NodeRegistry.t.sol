// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {GridToken} from "../src/GridToken.sol";
import {NodeRegistry} from "../src/NodeRegistry.sol";
import {INodeRegistry} from "../src/interfaces/INodeRegistry.sol";
import {FeeOnTransferToken} from "./mocks/HostileTokens.sol";
import {TestBase} from "./utils/TestBase.sol";

contract NodeRegistryTest is TestBase {
    uint256 internal constant MIN_STAKE = 1_000e18;
    uint64 internal constant DELAY = 7 days;
    bytes32 internal constant META_HASH = keccak256("metadata");
    string internal constant META_URI = "https://node.example/meta.json";

    GridToken internal grid;
    NodeRegistry internal registry;
    address internal operator;
    address internal nodeKey;
    address internal verifier;
    address internal stranger;

    function setUp() public {
        operator = makeAddr("operator");
        nodeKey = makeAddr("node key");
        verifier = makeAddr("verifier");
        stranger = makeAddr("stranger");
        grid = new GridToken(1e27, operator, 1e24, address(0));
        registry = new NodeRegistry(IERC20(address(grid)), MIN_STAKE, DELAY, verifier);
        vm.prank(operator);
        grid.approve(address(registry), type(uint256).max);
    }

    function _register(uint256 stake) internal {
        vm.prank(operator);
        registry.register(nodeKey, stake, META_HASH, META_URI);
    }

    // ================================================================ register

    function test_WhenRegistered_TheNodeIsActiveWithItsStake() public {
        vm.expectEmit(true, true, true, true, address(registry));
        emit INodeRegistry.NodeRegistered(nodeKey, operator, MIN_STAKE, META_HASH, META_URI);
        _register(MIN_STAKE);

        (bool registered, bool active, uint256 bonded, address op) = registry.nodeStatus(nodeKey);
        vm.assertTrue(registered, "registered");
        vm.assertTrue(active, "active");
        vm.assertEq(bonded, MIN_STAKE, "bonded");
        vm.assertEq(op, operator, "operator");
        (,,,, bytes32 hash, string memory uri) = registry.node(nodeKey);
        vm.assertEq(hash, META_HASH, "hash");
        vm.assertEq(uri, META_URI, "uri");
        vm.assertEq(grid.balanceOf(address(registry)), MIN_STAKE, "stake held");
    }

    function test_WhenUnknown_TheNodeIsNeitherRegisteredNorActive() public view {
        (bool registered, bool active, uint256 bonded, address op) = registry.nodeStatus(nodeKey);
        vm.assertFalse(registered, "registered");
        vm.assertFalse(active, "active");
        vm.assertEq(bonded, 0, "bonded");
        vm.assertEq(op, address(0), "operator");
    }

    function test_WhenConstructed_ParametersAreImmutableViews() public view {
        vm.assertEq(address(registry.GRID()), address(grid), "grid");
        vm.assertEq(registry.MIN_STAKE(), MIN_STAKE, "min stake");
        vm.assertEq(registry.UNBONDING_DELAY(), DELAY, "delay");
        vm.assertEq(registry.VERIFIER(), verifier, "verifier");
    }

    function test_RevertWhen_UnbondingDelayIsOverAYear() public {
        vm.expectRevert(
            abi.encodeWithSelector(INodeRegistry.NodeRegistry_UnbondingDelayTooLong.selector, 365 days + 1, 365 days)
        );
        new NodeRegistry(IERC20(address(grid)), MIN_STAKE, 365 days + 1, verifier);
    }

    function test_RevertWhen_TheStakeTokenIsZero() public {
        vm.expectRevert(INodeRegistry.NodeRegistry_ZeroGrid.selector);
        new NodeRegistry(IERC20(address(0)), MIN_STAKE, DELAY, verifier);
    }

    function test_RevertWhen_NodeKeyIsZero() public {
        vm.expectRevert(INodeRegistry.NodeRegistry_ZeroNodeKey.selector);
        vm.prank(operator);
        registry.register(address(0), MIN_STAKE, META_HASH, META_URI);
    }

    function test_RevertWhen_RegisteredTwice() public {
        _register(MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(INodeRegistry.NodeRegistry_AlreadyRegistered.selector, nodeKey, operator)
        );
        _register(MIN_STAKE);
    }

    function test_RevertWhen_StakeIsBelowTheMinimum() public {
        vm.expectRevert(
            abi.encodeWithSelector(INodeRegistry.NodeRegistry_StakeBelowMinimum.selector, MIN_STAKE - 1, MIN_STAKE)
        );
        _register(MIN_STAKE - 1);
    }

    function test_RevertWhen_StakeIsZeroEvenWithoutAMinimum() public {
        NodeRegistry open = new NodeRegistry(IERC20(address(grid)), 0, DELAY, verifier);
        vm.expectRevert(abi.encodeWithSelector(INodeRegistry.NodeRegistry_StakeBelowMinimum.selector, 0, 0));
        vm.prank(operator);
        open.register(nodeKey, 0, META_HASH, META_URI);
    }

    function test_RevertWhen_StakeDoesNotFit96Bits() public {
        uint256 tooMuch = uint256(type(uint96).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                INodeRegistry.NodeRegistry_AmountTooLarge.selector, tooMuch, uint256(type(uint96).max)
            )
        );
        _register(tooMuch);
    }

    function test_RevertWhen_TheStakeTokenTakesAFee() public {
        FeeOnTransferToken fot = new FeeOnTransferToken();
        NodeRegistry bad = new NodeRegistry(IERC20(address(fot)), MIN_STAKE, DELAY, verifier);
        fot.mint(operator, 10_000e18);
        vm.prank(operator);
        fot.approve(address(bad), type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                INodeRegistry.NodeRegistry_TransferAmountMismatch.selector, MIN_STAKE, MIN_STAKE * 99 / 100
            )
        );
        vm.prank(operator);
        bad.register(nodeKey, MIN_STAKE, META_HASH, META_URI);
    }

    // ================================================================ topUp

    function test_WhenToppedUp_BondedStakeGrows() public {
        _register(MIN_STAKE);
        vm.expectEmit(true, true, true, true, address(registry));
        emit INodeRegistry.StakeToppedUp(nodeKey, 5e18, MIN_STAKE + 5e18);
        vm.prank(operator);
        registry.topUp(nodeKey, 5e18);
        (,, uint256 bonded,) = registry.nodeStatus(nodeKey);
        vm.assertEq(bonded, MIN_STAKE + 5e18, "bonded");
    }

    function test_RevertWhen_AStrangerTopsUp() public {
        _register(MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(INodeRegistry.NodeRegistry_NotOperator.selector, nodeKey, stranger, operator)
        );
        vm.prank(stranger);
        registry.topUp(nodeKey, 5e18);
    }

    function test_RevertWhen_TopUpOfAnUnregisteredNode() public {
        vm.expectRevert(abi.encodeWithSelector(INodeRegistry.NodeRegistry_NotRegistered.selector, nodeKey));
        vm.prank(operator);
        registry.topUp(nodeKey, 5e18);
    }

    function test_RevertWhen_TopUpIsZero() public {
        _register(MIN_STAKE);
        vm.expectRevert(INodeRegistry.NodeRegistry_ZeroAmount.selector);
        vm.prank(operator);
        registry.topUp(nodeKey, 0);
    }

    function test_RevertWhen_TopUpWouldOverflow96Bits() public {
        _register(MIN_STAKE);
        uint256 max = type(uint96).max;
        vm.expectRevert(abi.encodeWithSelector(INodeRegistry.NodeRegistry_AmountTooLarge.selector, max + 1, max));
        vm.prank(operator);
        registry.topUp(nodeKey, max + 1 - MIN_STAKE);
    }

    // ================================================================ unbonding

    function test_WhenUnbondingStarts_TheNodeTurnsInactiveBelowTheMinimum() public {
        _register(MIN_STAKE + 10e18);
        uint64 endsAt = uint64(block.timestamp) + DELAY;
        vm.expectEmit(true, true, true, true, address(registry));
        emit INodeRegistry.UnbondingStarted(nodeKey, 20e18, endsAt);
        vm.prank(operator);
        registry.startUnbonding(nodeKey, 20e18);

        (bool registered, bool active, uint256 bonded,) = registry.nodeStatus(nodeKey);
        vm.assertTrue(registered, "still registered");
        vm.assertFalse(active, "inactive below the minimum");
        vm.assertEq(bonded, MIN_STAKE - 10e18, "bonded");
        (,, uint256 unbonding, uint64 stored,,) = registry.node(nodeKey);
        vm.assertEq(unbonding, 20e18, "unbonding");
        vm.assertEq(stored, endsAt, "ends at");
    }

    function test_WhenUnbondingAgain_TheDelayRestartsForAll() public {
        _register(MIN_STAKE);
        vm.prank(operator);
        registry.startUnbonding(nodeKey, 1e18);
        vm.warp(block.timestamp + 1 days);
        vm.prank(operator);
        registry.startUnbonding(nodeKey, 1e18);
        (,, uint256 unbonding, uint64 endsAt,,) = registry.node(nodeKey);
        vm.assertEq(unbonding, 2e18, "both amounts");
        vm.assertEq(endsAt, uint64(block.timestamp) + DELAY, "restarted");
    }

    function test_RevertWhen_UnbondingMoreThanBonded() public {
        _register(MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(
                INodeRegistry.NodeRegistry_InsufficientBonded.selector, nodeKey, MIN_STAKE + 1, MIN_STAKE
            )
        );
        vm.prank(operator);
        registry.startUnbonding(nodeKey, MIN_STAKE + 1);
    }

    function test_RevertWhen_UnbondingZero() public {
        _register(MIN_STAKE);
        vm.expectRevert(INodeRegistry.NodeRegistry_ZeroAmount.selector);
        vm.prank(operator);
        registry.startUnbonding(nodeKey, 0);
    }

    function test_RevertWhen_AStrangerStartsUnbonding() public {
        _register(MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(INodeRegistry.NodeRegistry_NotOperator.selector, nodeKey, stranger, operator)
        );
        vm.prank(stranger);
        registry.startUnbonding(nodeKey, 1e18);
    }

    function test_WhenTheDelayIsOver_TheOperatorWithdraws() public {
        _register(MIN_STAKE);
        vm.prank(operator);
        registry.startUnbonding(nodeKey, 300e18);
        vm.warp(block.timestamp + DELAY);
        uint256 before = grid.balanceOf(operator);
        vm.expectEmit(true, true, true, true, address(registry));
        emit INodeRegistry.UnbondedWithdrawn(nodeKey, operator, 300e18);
        vm.prank(operator);
        registry.withdrawUnbonded(nodeKey);
        vm.assertEq(grid.balanceOf(operator), before + 300e18, "withdrawn");
        (,, uint256 unbonding, uint64 endsAt,,) = registry.node(nodeKey);
        vm.assertEq(unbonding, 0, "nothing unbonding");
        vm.assertEq(endsAt, 0, "cleared");
    }

    function test_RevertWhen_WithdrawingBeforeTheDelay() public {
        _register(MIN_STAKE);
        vm.prank(operator);
        registry.startUnbonding(nodeKey, 300e18);
        uint64 endsAt = uint64(block.timestamp) + DELAY;
        vm.warp(endsAt - 1);
        vm.expectRevert(
            abi.encodeWithSelector(INodeRegistry.NodeRegistry_UnbondingNotOver.selector, nodeKey, endsAt, endsAt - 1)
        );
        vm.prank(operator);
        registry.withdrawUnbonded(nodeKey);
    }

    function test_RevertWhen_WithdrawingWithNothingUnbonding() public {
        _register(MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(INodeRegistry.NodeRegistry_NothingUnbonding.selector, nodeKey));
        vm.prank(operator);
        registry.withdrawUnbonded(nodeKey);
    }

    function test_RevertWhen_AStrangerWithdraws() public {
        _register(MIN_STAKE);
        vm.prank(operator);
        registry.startUnbonding(nodeKey, 300e18);
        vm.warp(block.timestamp + DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(INodeRegistry.NodeRegistry_NotOperator.selector, nodeKey, stranger, operator)
        );
        vm.prank(stranger);
        registry.withdrawUnbonded(nodeKey);
    }

    // ================================================================ slash

    function test_WhenSlashed_BondedStakeGoesFirstThenUnbonding() public {
        _register(MIN_STAKE + 100e18);
        vm.prank(operator);
        registry.startUnbonding(nodeKey, 100e18);
        address recipient = makeAddr("recipient");

        vm.expectEmit(true, true, true, true, address(registry));
        emit INodeRegistry.NodeSlashed(nodeKey, MIN_STAKE + 50e18, recipient);
        vm.prank(verifier);
        registry.slash(nodeKey, MIN_STAKE + 50e18, recipient);

        (, uint256 bonded, uint256 unbonding,,,) = registry.node(nodeKey);
        vm.assertEq(bonded, 0, "bonded taken first");
        vm.assertEq(unbonding, 50e18, "then unbonding");
        vm.assertEq(grid.balanceOf(recipient), MIN_STAKE + 50e18, "recipient");
        (, bool active,,) = registry.nodeStatus(nodeKey);
        vm.assertFalse(active, "inactive");
    }

    function test_RevertWhen_SomeoneOtherThanTheVerifierSlashes() public {
        _register(MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(INodeRegistry.NodeRegistry_NotVerifier.selector, operator, verifier));
        vm.prank(operator);
        registry.slash(nodeKey, 1e18, operator);
    }

    function test_RevertWhen_TheVerifierIsZero_NobodySlashes() public {
        NodeRegistry noSlash = new NodeRegistry(IERC20(address(grid)), MIN_STAKE, DELAY, address(0));
        vm.expectRevert(abi.encodeWithSelector(INodeRegistry.NodeRegistry_NotVerifier.selector, address(0), address(0)));
        vm.prank(address(0));
        noSlash.slash(nodeKey, 1e18, operator);
    }

    function test_RevertWhen_SlashingMoreThanTheStake() public {
        _register(MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(
                INodeRegistry.NodeRegistry_SlashExceedsStake.selector, nodeKey, MIN_STAKE + 1, MIN_STAKE
            )
        );
        vm.prank(verifier);
        registry.slash(nodeKey, MIN_STAKE + 1, verifier);
    }

    function test_RevertWhen_SlashingAnUnregisteredNode() public {
        vm.expectRevert(abi.encodeWithSelector(INodeRegistry.NodeRegistry_NotRegistered.selector, nodeKey));
        vm.prank(verifier);
        registry.slash(nodeKey, 1, verifier);
    }

    function test_RevertWhen_SlashingZero() public {
        _register(MIN_STAKE);
        vm.expectRevert(INodeRegistry.NodeRegistry_ZeroAmount.selector);
        vm.prank(verifier);
        registry.slash(nodeKey, 0, verifier);
    }

    function test_RevertWhen_SlashingToTheZeroAddress() public {
        _register(MIN_STAKE);
        vm.expectRevert(INodeRegistry.NodeRegistry_ZeroRecipient.selector);
        vm.prank(verifier);
        registry.slash(nodeKey, 1, address(0));
    }

    // ================================================================ metadata

    function test_WhenMetadataIsUpdated_TheViewShowsIt() public {
        _register(MIN_STAKE);
        vm.expectEmit(true, true, true, true, address(registry));
        emit INodeRegistry.MetadataUpdated(nodeKey, bytes32(uint256(1)), "ipfs://x");
        vm.prank(operator);
        registry.updateMetadata(nodeKey, bytes32(uint256(1)), "ipfs://x");
        (,,,, bytes32 hash, string memory uri) = registry.node(nodeKey);
        vm.assertEq(hash, bytes32(uint256(1)), "hash");
        vm.assertEq(uri, "ipfs://x", "uri");
    }

    function test_RevertWhen_AStrangerUpdatesMetadata() public {
        _register(MIN_STAKE);
        vm.expectRevert(
            abi.encodeWithSelector(INodeRegistry.NodeRegistry_NotOperator.selector, nodeKey, stranger, operator)
        );
        vm.prank(stranger);
        registry.updateMetadata(nodeKey, bytes32(0), "");
    }

    // ================================================================ fuzz

    function testFuzz_StakeMoves_KeepTheBalanceEqualToTheStake(uint256 stake, uint256 unbond, uint256 slashed) public {
        stake = bound(stake, MIN_STAKE, 1e24);
        unbond = bound(unbond, 1, stake);
        slashed = bound(slashed, 1, stake);
        _register(stake);
        vm.prank(operator);
        registry.startUnbonding(nodeKey, unbond);
        vm.prank(verifier);
        registry.slash(nodeKey, slashed, verifier);
        (, uint256 bonded, uint256 unbonding,,,) = registry.node(nodeKey);
        vm.assertEq(bonded + unbonding, stake - slashed, "stake left");
        vm.assertEq(grid.balanceOf(address(registry)), bonded + unbonding, "balance == stake");
    }
}
