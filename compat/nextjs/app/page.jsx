export default function Home() {
  return (
    <main>
      <h1>Usher + @clerk/nextjs</h1>
      <a href="/protected">protected</a>
    </main>
  );
}
