// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ERC20Capped} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Capped.sol";

import {GridToken} from "../src/GridToken.sol";
import {IGridToken} from "../src/interfaces/IGridToken.sol";
import {TestBase} from "./utils/TestBase.sol";

contract GridTokenTest is TestBase {
    uint256 internal constant CAP = 1_000_000_000e18;

    address internal holder;
    address internal minter;
    GridToken internal grid;

    function setUp() public {
        holder = makeAddr("holder");
        minter = makeAddr("minter");
        grid = new GridToken(CAP, holder, 400_000_000e18, minter);
    }

    function test_WhenDeployed_TheInitialSupplyGoesToTheHolder() public view {
        vm.assertEq(grid.name(), "Gridshare", "name");
        vm.assertEq(grid.symbol(), "GRID", "symbol");
        vm.assertEq(grid.decimals(), 18, "decimals");
        vm.assertEq(grid.cap(), CAP, "cap");
        vm.assertEq(grid.MINTER(), minter, "minter");
        vm.assertEq(grid.totalSupply(), 400_000_000e18, "supply");
        vm.assertEq(grid.balanceOf(holder), 400_000_000e18, "holder");
    }

    function test_WhenTheMinterMints_SupplyGrows() public {
        vm.prank(minter);
        grid.mint(holder, 1e18);
        vm.assertEq(grid.totalSupply(), 400_000_001e18, "supply");
    }

    function test_RevertWhen_SomeoneElseMints() public {
        vm.expectRevert(abi.encodeWithSelector(IGridToken.GridToken_NotMinter.selector, holder, minter));
        vm.prank(holder);
        grid.mint(holder, 1e18);
    }

    function test_RevertWhen_TheMinterIsZero_NobodyCanMint() public {
        GridToken fixed_ = new GridToken(CAP, holder, 1e18, address(0));
        vm.expectRevert(abi.encodeWithSelector(IGridToken.GridToken_NotMinter.selector, address(0), address(0)));
        vm.prank(address(0));
        fixed_.mint(holder, 1e18);
    }

    function test_RevertWhen_MintingPastTheCap() public {
        vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, CAP + 1, CAP));
        vm.prank(minter);
        grid.mint(holder, CAP - 400_000_000e18 + 1);
    }

    function test_RevertWhen_TheInitialSupplyExceedsTheCap() public {
        vm.expectRevert(abi.encodeWithSelector(ERC20Capped.ERC20ExceededCap.selector, CAP + 1, CAP));
        new GridToken(CAP, holder, CAP + 1, minter);
    }

    function test_WhenPermitIsSigned_TheAllowanceIsSet() public {
        uint256 key = keyOf("holder");
        address spender = makeAddr("spender");
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                holder,
                spender,
                5e18,
                grid.nonces(holder),
                deadline
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, keccak256(abi.encodePacked("\x19\x01", grid.DOMAIN_SEPARATOR(), structHash)));
        grid.permit(holder, spender, 5e18, deadline, v, r, s);
        vm.assertEq(grid.allowance(holder, spender), 5e18, "allowance");
        vm.assertEq(grid.nonces(holder), 1, "nonce used");
    }

    function testFuzz_Mint_NeverPassesTheCap(uint256 amount) public {
        amount = bound(amount, 0, CAP - 400_000_000e18);
        vm.prank(minter);
        grid.mint(minter, amount);
        vm.assertLe(grid.totalSupply(), CAP, "cap holds");
        vm.assertEq(grid.balanceOf(minter), amount, "minted");
    }
}
