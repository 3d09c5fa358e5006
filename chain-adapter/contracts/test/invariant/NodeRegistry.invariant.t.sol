// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {GridToken} from "../../src/GridToken.sol";
import {NodeRegistry} from "../../src/NodeRegistry.sol";
import {TestBase} from "../utils/TestBase.sol";
import {NodeRegistryHandler} from "./NodeRegistryHandler.sol";

/// @notice Invariants of NodeRegistry after any sequence of register / topUp / startUnbonding /
/// withdrawUnbonded / slash:
///   1. GRID held by the registry == Σ over nodes (bonded + unbonding) == staked − withdrawn − slashed;
///   2. a node is active exactly when it is registered and bonded >= MIN_STAKE.
contract NodeRegistryInvariantTest is TestBase {
    GridToken internal grid;
    NodeRegistry internal registry;
    NodeRegistryHandler internal handler;

    function setUp() public {
        address verifier = makeAddr("verifier");
        grid = new GridToken(1e27, address(this), 1e26, address(0));
        registry = new NodeRegistry(IERC20(address(grid)), 1_000e18, 7 days, verifier);
        handler = new NodeRegistryHandler(registry, grid, verifier);
        grid.transfer(address(handler), 1e26);
        handler.fundOperators();
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = handler.register.selector;
        selectors[1] = handler.topUp.selector;
        selectors[2] = handler.startUnbonding.selector;
        selectors[3] = handler.withdrawUnbonded.selector;
        selectors[4] = handler.slash.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    function invariant_GridBalanceEqualsTheSumOfStakes() public view {
        uint256 sum;
        uint256 n = handler.nodeCount();
        for (uint256 i; i < n; ++i) {
            (, uint256 bonded, uint256 unbonding,,,) = registry.node(handler.nodeKeys(i));
            sum += bonded + unbonding;
        }
        uint256 balance = grid.balanceOf(address(registry));
        vm.assertEq(balance, sum, "balance == sum of bonded + unbonding");
        vm.assertEq(
            balance, handler.ghostStaked() - handler.ghostWithdrawn() - handler.ghostSlashed(), "== ghost books"
        );
    }

    function invariant_ActiveMeansRegisteredWithTheMinimumBonded() public view {
        uint256 n = handler.nodeCount();
        for (uint256 i; i < n; ++i) {
            (bool registered, bool active, uint256 bonded, address operator) = registry.nodeStatus(handler.nodeKeys(i));
            vm.assertTrue(registered, "stays registered");
            vm.assertEq(operator, handler.operatorOf(handler.nodeKeys(i)), "operator");
            vm.assertEq(active, bonded >= registry.MIN_STAKE(), "active <=> bonded >= MIN_STAKE");
        }
    }
}
