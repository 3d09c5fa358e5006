// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {GridToken} from "../../src/GridToken.sol";
import {NodeRegistry} from "../../src/NodeRegistry.sol";
import {TestBase} from "../utils/TestBase.sol";

/// @notice Drives NodeRegistry with valid random actions of three operators over their node keys, and of the
/// verifier, keeping ghost totals of GRID staked, withdrawn and slashed.
contract NodeRegistryHandler is TestBase {
    NodeRegistry public immutable registry;
    GridToken public immutable grid;
    address public immutable verifier;

    address[3] internal operators;
    address[] public nodeKeys;
    mapping(address nodeKey => address) public operatorOf;

    uint256 public ghostStaked;
    uint256 public ghostWithdrawn;
    uint256 public ghostSlashed;

    constructor(NodeRegistry registry_, GridToken grid_, address verifier_) {
        registry = registry_;
        grid = grid_;
        verifier = verifier_;
        for (uint256 i; i < 3; ++i) {
            operators[i] = makeAddr(string.concat("operator ", vm.toString(i)));
        }
    }

    /// Called once by the test after the handler holds GRID.
    function fundOperators() external {
        for (uint256 i; i < 3; ++i) {
            grid.transfer(operators[i], grid.balanceOf(address(this)) / (3 - i));
            vm.prank(operators[i]);
            grid.approve(address(registry), type(uint256).max);
        }
    }

    function nodeCount() external view returns (uint256) {
        return nodeKeys.length;
    }

    function register(uint256 operatorSeed, uint256 keySeed, uint256 stake) external {
        address nodeKey = vm.addr(bound(keySeed, 1, 1e30));
        if (operatorOf[nodeKey] != address(0)) return;
        address operator = operators[operatorSeed % 3];
        stake = bound(stake, registry.MIN_STAKE(), 1e24);
        if (grid.balanceOf(operator) < stake) return;
        vm.prank(operator);
        registry.register(nodeKey, stake, keccak256(abi.encode(keySeed)), "ipfs://node");
        nodeKeys.push(nodeKey);
        operatorOf[nodeKey] = operator;
        ghostStaked += stake;
    }

    function topUp(uint256 nodeSeed, uint256 amount) external {
        (address nodeKey, address operator) = _pick(nodeSeed);
        if (operator == address(0)) return;
        amount = bound(amount, 1, 1e22);
        if (grid.balanceOf(operator) < amount) return;
        vm.prank(operator);
        registry.topUp(nodeKey, amount);
        ghostStaked += amount;
    }

    function startUnbonding(uint256 nodeSeed, uint256 amount) external {
        (address nodeKey, address operator) = _pick(nodeSeed);
        if (operator == address(0)) return;
        (,, uint256 bonded,) = registry.nodeStatus(nodeKey);
        if (bonded == 0) return;
        vm.prank(operator);
        registry.startUnbonding(nodeKey, bound(amount, 1, bonded));
    }

    function withdrawUnbonded(uint256 nodeSeed, uint256 wait) external {
        (address nodeKey, address operator) = _pick(nodeSeed);
        if (operator == address(0)) return;
        (,, uint256 unbonding, uint64 endsAt,,) = registry.node(nodeKey);
        if (unbonding == 0) return;
        vm.warp(block.timestamp + bound(wait, 0, 2 * registry.UNBONDING_DELAY()));
        if (block.timestamp < endsAt) return;
        vm.prank(operator);
        registry.withdrawUnbonded(nodeKey);
        ghostWithdrawn += unbonding;
    }

    function slash(uint256 nodeSeed, uint256 amount) external {
        (address nodeKey, address operator) = _pick(nodeSeed);
        if (operator == address(0)) return;
        (, uint256 bonded, uint256 unbonding,,,) = registry.node(nodeKey);
        if (bonded + unbonding == 0) return;
        amount = bound(amount, 1, bonded + unbonding);
        vm.prank(verifier);
        registry.slash(nodeKey, amount, verifier);
        ghostSlashed += amount;
    }

    function _pick(uint256 seed) internal view returns (address nodeKey, address operator) {
        if (nodeKeys.length == 0) return (address(0), address(0));
        nodeKey = nodeKeys[seed % nodeKeys.length];
        operator = operatorOf[nodeKey];
    }
}
