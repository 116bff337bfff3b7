// A bank account with overdraft checks, written for the hrm tokenizer tests.
import java.util.ArrayList;
import java.util.List;

public class Sample {
    private long balanceCents;
    private final List<String> history = new ArrayList<>();

    public synchronized void deposit(long cents) {
        if (cents <= 0) {
            throw new IllegalArgumentException("deposit must be positive: " + cents);
        }
        balanceCents += cents;
        history.add("+" + cents);
    }

    public synchronized boolean withdraw(long cents) {
        if (cents > balanceCents) {
            return false;
        }
        balanceCents -= cents;
        history.add("-" + cents);
        return true;
    }

    public static void main(String[] args) {
        Sample account = new Sample();
        account.deposit(1_000);
        System.out.println(account.withdraw(250) + " " + account.balanceCents + " " + account.history);
    }
}
