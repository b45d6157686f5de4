package io.finwatch.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadyBannerTest {

    @Test
    void theReproHintSaysSudoOnlyToUsersOtherThanRoot() {
        assertThat(LocalCommand.sudoUnlessRoot("root")).isEmpty();
        assertThat(LocalCommand.sudoUnlessRoot("alice")).isEqualTo("sudo ");
        assertThat(LocalCommand.sudoUnlessRoot(null)).isEqualTo("sudo ");
    }
}
