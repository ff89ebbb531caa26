import { zooShard } from "./zoo.js";

zooShard(5, 8);
