import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

public class MatrixTraceTest {

    @Test
    public void singleCell() {
        assertThat(MatrixTrace.trace(new int[][] {{4}})).isEqualTo(4);
    }

    @Disabled("Remove to run test")
    @Test
    public void threeByThree() {
        assertThat(MatrixTrace.trace(new int[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}})).isEqualTo(15);
    }
}
