// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title IGridToken
/// @notice GRID, the network token: operators stake it in the NodeRegistry; later rewards are minted in it.
/// ERC-20 with EIP-2612 permit and a hard cap. There is no owner: the only way to create tokens after
/// deployment is `mint` by the immutable MINTER (the future rewards contract; zero means nobody).
interface IGridToken is IERC20, IERC20Permit {
    /// @notice Thrown when someone other than MINTER calls `mint`.
    /// @param caller The address that tried to mint.
    /// @param minter The only address allowed to mint (zero: minting is disabled for good).
    error GridToken_NotMinter(address caller, address minter);

    /// @notice Creates `amount` new GRID for `to`, within the cap.
    /// @dev Reverts with GridToken_NotMinter unless msg.sender is MINTER, and with OpenZeppelin's
    /// ERC20ExceededCap when the total supply would pass the cap.
    function mint(address to, uint256 amount) external;

    /// @notice The only address that may mint; fixed at deployment. Zero means no one ever can.
    function MINTER() external view returns (address);

    /// @notice The most GRID that can ever exist.
    function cap() external view returns (uint256);
}
