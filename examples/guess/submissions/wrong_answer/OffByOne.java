import java.io.BufferedReader;
import java.io.InputStreamReader;

/* Binary search whose "higher" step forgets the +1: it runs out of guesses. */
public class OffByOne {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        long lo = 1, hi = 1000000000L;
        for (;;) {
            long mid = lo > hi ? 0 : lo + (hi - lo) / 2;
            System.out.println(mid);
            System.out.flush();
            String reply = in.readLine();
            if (reply == null || reply.equals("correct"))
                return;
            if (reply.equals("lower"))
                hi = mid - 1;
            else
                lo = mid;
        }
    }
}
