package io.finwatch.streams.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PunctuationAlarmTest {

    @Test
    void anIdlePollWaitsAsAskedWhenNothingIsDue() {
        PunctuationAlarm alarm = running();
        alarm.slot();
        assertThat(alarm.pollWaitMs(1_000, 50_000)).isEqualTo(1_000);
    }

    @Test
    void anIdlePollEndsWhenTheEarliestSlotIsDue() {
        PunctuationAlarm alarm = running();
        alarm.slot().at(50_700);
        alarm.slot().at(50_400);
        assertThat(alarm.pollWaitMs(1_000, 50_000)).isEqualTo(400);
    }

    @Test
    void aDueTimeInThePastOrVeryNearWaitsTheFloorNotZero() {
        PunctuationAlarm alarm = running();
        PunctuationAlarm.Slot slot = alarm.slot();
        slot.at(49_000);
        assertThat(alarm.pollWaitMs(1_000, 50_000)).isEqualTo(PunctuationAlarm.FLOOR_MS);
        slot.at(50_030);
        assertThat(alarm.pollWaitMs(1_000, 50_000)).isEqualTo(PunctuationAlarm.FLOOR_MS);
    }

    @Test
    void aShortPollIsNeverLengthenedAndAFarDueTimeNeverWaitsLongerThanAsked() {
        PunctuationAlarm alarm = running();
        alarm.slot().at(49_000);
        assertThat(alarm.pollWaitMs(0, 50_000)).isZero();
        assertThat(alarm.pollWaitMs(100, 50_000)).isEqualTo(100);
        alarm.slot().at(90_000);
        assertThat(alarm.pollWaitMs(1_000, 89_500)).isEqualTo(PunctuationAlarm.FLOOR_MS);
    }

    @Test
    void atOrBeforeOnlyBringsADueTimeForwardAndAClosedSlotNoLongerCounts() {
        PunctuationAlarm alarm = running();
        PunctuationAlarm.Slot slot = alarm.slot();
        slot.at(60_000);
        slot.atOrBefore(70_000);
        assertThat(alarm.nextDueMs()).isEqualTo(60_000);
        slot.atOrBefore(55_000);
        assertThat(alarm.nextDueMs()).isEqualTo(55_000);
        slot.close();
        assertThat(alarm.nextDueMs()).isEqualTo(PunctuationAlarm.NEVER);
    }

    @Test
    void processorsFindTheAlarmInTheAppConfigsOrGetASlotThatDoesNothing() {
        PunctuationAlarm alarm = running();
        PunctuationAlarm.Slot slot = PunctuationAlarm.of(Map.of(PunctuationAlarm.CONFIG, alarm));
        assertThat(slot.active()).isTrue();
        slot.at(1_234);
        assertThat(alarm.nextDueMs()).isEqualTo(1_234);

        PunctuationAlarm.Slot none = PunctuationAlarm.of(Map.of());
        assertThat(none.active()).isFalse();
        none.at(1);
        none.close();
    }

    @Test
    void untilKafkaStreamsRunsEveryPollWaitsTheFloorAtMost() {
        PunctuationAlarm alarm = new PunctuationAlarm();
        assertThat(alarm.pollWaitMs(1_000, 50_000)).isEqualTo(PunctuationAlarm.FLOOR_MS);
        assertThat(alarm.pollWaitMs(0, 50_000)).isZero();
        alarm.running(true);
        assertThat(alarm.pollWaitMs(1_000, 50_000)).isEqualTo(1_000);
        alarm.running(false);
        assertThat(alarm.pollWaitMs(1_000, 50_000)).isEqualTo(PunctuationAlarm.FLOOR_MS);
    }

    private static PunctuationAlarm running() {
        PunctuationAlarm alarm = new PunctuationAlarm();
        alarm.running(true);
        return alarm;
    }

    @Test
    void wantedOnlyWherePollsOutlastTheDefault() {
        assertThat(PunctuationAlarm.wanted(100)).isFalse();
        assertThat(PunctuationAlarm.wanted(1_000)).isTrue();
    }
}
