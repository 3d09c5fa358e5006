// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {PaymentChannels} from "../src/PaymentChannels.sol";
import {MockERC20} from "./mocks/MockERC20.sol";
import {TestBase} from "./utils/TestBase.sol";

/// @notice Deployed PaymentChannels, two tokens (6 and 18 decimals), a funded tenant and a gateway as payee.
abstract contract PaymentChannelsFixture is TestBase {
    uint16 internal constant FEE_BPS = 50; // 0.5 %
    uint64 internal constant CHALLENGE_PERIOD = 1 days;

    PaymentChannels internal channels;
    MockERC20 internal usdc; // 6 decimals
    MockERC20 internal dai; // 18 decimals

    address internal treasury;
    uint256 internal tenantKey;
    address internal tenant;
    uint256 internal sessionKey;
    address internal session;
    address internal gateway;
    address internal stranger;

    function setUp() public virtual {
        treasury = makeAddr("treasury");
        tenantKey = keyOf("tenant");
        tenant = makeAddr("tenant");
        sessionKey = keyOf("session");
        session = makeAddr("session");
        gateway = makeAddr("gateway");
        stranger = makeAddr("stranger");

        channels = new PaymentChannels(FEE_BPS, treasury, CHALLENGE_PERIOD);
        usdc = new MockERC20("USDC", 6);
        dai = new MockERC20("DAI", 18);
        _fund(tenant, 1e12, 1e30);
        _fund(stranger, 1e12, 1e30);
    }

    function _fund(address who, uint256 usdcAmount, uint256 daiAmount) internal {
        usdc.mint(who, usdcAmount);
        dai.mint(who, daiAmount);
        vm.startPrank(who);
        usdc.approve(address(channels), type(uint256).max);
        dai.approve(address(channels), type(uint256).max);
        vm.stopPrank();
    }

    function _open(address token, uint256 deposit) internal returns (uint256 channelId) {
        vm.prank(tenant);
        channelId = channels.open(gateway, token, deposit, address(0));
    }

    function _sign(uint256 key, uint256 channelId, uint256 cumulativeAmount) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, channels.voucherDigest(channelId, cumulativeAmount));
        return abi.encodePacked(r, s, v);
    }

    function _fee(uint256 paid) internal pure returns (uint256) {
        return paid * FEE_BPS / 10_000;
    }
}
