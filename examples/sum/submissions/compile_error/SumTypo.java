// sum: compile error. "incompatible types: possible lossy conversion from long
// to int".
import java.util.Scanner;

public class SumTypo {
    public static void main(String[] args) {
        Scanner sc = new Scanner(System.in);
        int t = sc.nextInt();
        for (int i = 0; i < t; i++) {
            long a = sc.nextLong(), b = sc.nextLong();
            int s = a + b;
            System.out.println(s);
        }
    }
}
