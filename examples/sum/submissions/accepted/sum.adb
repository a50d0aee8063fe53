--  sum: accepted. Long_Long_Integer is 64 bits with GNAT. Each line is read whole with Get_Line
--  and split by hand (Text_IO's numeric Get reads a character at a time), and the sums are
--  gathered in one Unbounded_String: Put_Line into a pipe costs a system call per line.
with Ada.Text_IO;           use Ada.Text_IO;
with Ada.Strings;           use Ada.Strings;
with Ada.Strings.Fixed;     use Ada.Strings.Fixed;
with Ada.Strings.Unbounded; use Ada.Strings.Unbounded;

procedure Sum is
   Line : String (1 .. 100);
   Last : Natural;
   T    : Natural;
   Sp   : Natural;
   A, B : Long_Long_Integer;
   Sums : Unbounded_String;
begin
   Get_Line (Line, Last);
   T := Natural'Value (Line (1 .. Last));
   for I in 1 .. T loop
      Get_Line (Line, Last);
      Sp := Index (Line (1 .. Last), " ");
      A := Long_Long_Integer'Value (Line (1 .. Sp - 1));
      B := Long_Long_Integer'Value (Line (Sp + 1 .. Last));
      --  'Image puts a space before a non-negative number
      if I > 1 then
         Append (Sums, ASCII.LF);
      end if;
      Append (Sums, Trim (Long_Long_Integer'Image (A + B), Left));
   end loop;
   --  Put_Line ends the last line itself: Text_IO adds a line end at exit to a line it
   --  thinks is unfinished, and it does not see the LF characters inside a string
   Put_Line (To_String (Sums));
end Sum;
