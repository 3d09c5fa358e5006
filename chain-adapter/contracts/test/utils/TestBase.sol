// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Vm} from "./Vm.sol";

/// @notice The little of forge-std these tests need (see Vm.sol for why it is not forge-std itself):
/// the cheatcode handle, `bound`, named addresses, and the invariant-target hooks forge looks for.
abstract contract TestBase {
    /// @dev forge recognises this marker on test contracts.
    bool public IS_TEST = true;

    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;

    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetContracts;
    FuzzSelector[] private _targetSelectors;
    address[] private _excludeSenders;

    /// @dev Maps any x into [min, max], keeping the first and last few values of x at the edges so the
    /// fuzzer's boundary inputs (0, 1, max...) still land on the range's boundaries.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size;
        unchecked {
            size = max - min + 1; // zero only for the full uint256 range, handled above
        }
        if (x <= 3 && size > x) return min + x;
        if (x >= type(uint256).max - 3 && size > type(uint256).max - x) return max - (type(uint256).max - x);
        return min + (x % size);
    }

    function makeAddr(string memory name) internal returns (address a) {
        a = vm.addr(keyOf(name));
        vm.label(a, name);
    }

    function keyOf(string memory name) internal pure returns (uint256) {
        // secp256k1 keys are 1 .. n - 1
        return uint256(keccak256(bytes(name))) % (SECP256K1_ORDER - 1) + 1;
    }

    // ---- invariant targeting: forge calls these views on the test contract

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetSelectors.push(selector);
    }

    function excludeSender(address sender) internal {
        _excludeSenders.push(sender);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    function excludeSenders() public view returns (address[] memory) {
        return _excludeSenders;
    }
}
