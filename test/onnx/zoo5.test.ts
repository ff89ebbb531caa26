import { zooShard } from "./zoo.js";

zooShard(4, 8);
