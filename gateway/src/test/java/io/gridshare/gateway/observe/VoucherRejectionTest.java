package io.gridshare.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.gridshare.chain.InvalidVoucherException.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class VoucherRejectionTest {

    @Test
    @DisplayName("every signature failure of the chain adapter is a bad signature")
    void signatureFailuresAreBadSignatures() {
        assertThat(VoucherRejection.of(Reason.MALFORMED_SIGNATURE)).isEqualTo(VoucherRejection.BAD_SIGNATURE);
        assertThat(VoucherRejection.of(Reason.WRONG_SIGNER)).isEqualTo(VoucherRejection.BAD_SIGNATURE);
        assertThat(VoucherRejection.of(Reason.WRONG_DOMAIN)).isEqualTo(VoucherRejection.BAD_SIGNATURE);
    }

    @Test
    @DisplayName("a channel that is unknown or pays someone else is the wrong channel")
    void foreignChannelsAreWrongChannels() {
        assertThat(VoucherRejection.of(Reason.UNKNOWN_CHANNEL)).isEqualTo(VoucherRejection.WRONG_CHANNEL);
        assertThat(VoucherRejection.of(Reason.WRONG_PAYEE)).isEqualTo(VoucherRejection.WRONG_CHANNEL);
    }

    @Test
    @DisplayName("replays, overdrafts and closed channels keep reasons of their own")
    void otherReasonsMapOneToOne() {
        assertThat(VoucherRejection.of(Reason.NOT_HIGHER)).isEqualTo(VoucherRejection.NOT_HIGHER);
        assertThat(VoucherRejection.of(Reason.EXCEEDS_DEPOSIT)).isEqualTo(VoucherRejection.OVERDRAFT);
        assertThat(VoucherRejection.of(Reason.CHANNEL_CLOSED)).isEqualTo(VoucherRejection.CHANNEL_CLOSED);
    }

    @Test
    @DisplayName("the reason tag takes one of seven fixed lower-case values")
    void tagsAreAFixedLowerCaseSet() {
        assertThat(Arrays.stream(VoucherRejection.values()).map(VoucherRejection::tag)).containsExactly(
                "bad_signature", "not_higher", "overdraft", "wrong_channel", "channel_closed", "malformed",
                "unavailable");
    }
}
