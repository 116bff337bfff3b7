import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

public class RunLengthTest {

    @Test
    public void singles() {
        assertEquals("abc", new RunLength().encode("abc"));
    }

    @Disabled
    @Test
    public void runs() {
        assertEquals("3ab2c", new RunLength().encode("aaabcc"));
    }
}
