import java.io.BufferedReader;
import java.io.InputStreamReader;

/* Finds the number, then reads one more reply: the interaction is over, readLine() gives
 * null, and the comparison throws. The interactor accepted, the program crashed: RE. */
public class ReadsPastTheEnd {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        long lo = 1, hi = 1000000000L;
        for (;;) {
            long mid = (lo + hi) / 2;
            System.out.println(mid);
            System.out.flush();
            String reply = in.readLine();
            if (reply.equals("correct"))
                reply = in.readLine(); /* past the end */
            if (reply.equals("lower"))
                hi = mid - 1;
            else
                lo = mid + 1;
        }
    }
}
