// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

import {IGridToken} from "./interfaces/IGridToken.sol";

/// @title GridToken
/// @notice See IGridToken.
contract GridToken is IGridToken, ERC20Capped, ERC20Permit {
    /// @inheritdoc IGridToken
    address public immutable MINTER;

    /// @param cap_ The hard cap on total supply.
    /// @param initialHolder Receives `initialSupply` at deployment.
    /// @param initialSupply Minted once to `initialHolder` (at most `cap_`).
    /// @param minter The only future minter, or zero for none.
    constructor(uint256 cap_, address initialHolder, uint256 initialSupply, address minter)
        ERC20("Gridshare", "GRID")
        ERC20Capped(cap_)
        ERC20Permit("Gridshare")
    {
        MINTER = minter;
        if (initialSupply != 0) _mint(initialHolder, initialSupply);
    }

    /// @inheritdoc IGridToken
    function mint(address to, uint256 amount) external {
        if (msg.sender != MINTER || MINTER == address(0)) revert GridToken_NotMinter(msg.sender, MINTER);
        _mint(to, amount);
    }

    /// @inheritdoc IGridToken
    function cap() public view override(IGridToken, ERC20Capped) returns (uint256) {
        return super.cap();
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view override(IERC20Permit, ERC20Permit) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Capped) {
        super._update(from, to, value);
    }
}
